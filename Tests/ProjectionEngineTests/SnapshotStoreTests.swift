import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("snapshots")
struct SnapshotStoreTests {
    @Test("snapshots are keyed by position; over the count or the byte bound they are thinned, the history kept covered")
    func bounds() throws {
        let directory = TestDirectory()
        let database = try SQLiteDatabase.inMemory()
        try database.execute(
            "CREATE TABLE t (a TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO t SELECT hex(randomblob(1000)) FROM n;"
        )
        let byCount = SnapshotStore(directory: directory.path + "/count", everyEvents: 10, keepMax: 3, bytesMax: 1 << 30)
        for position in [10, 20, 30, 40, 50] as [UInt64] { try byCount.take(database, position: position) }
        // 10 went when 40 came (all gaps 20: the oldest of the tie); 30 when 50 came (the gap 20-40 is the smallest).
        #expect(byCount.positions() == [20, 40, 50])
        #expect(byCount.nearest(atOrBefore: 45) == 40)
        #expect(byCount.nearest(atOrBefore: 19) == nil)
        let size = try #require((try FileManager.default.attributesOfItem(atPath: byCount.path(50)))[.size] as? NSNumber).int64Value
        let byBytes = SnapshotStore(directory: directory.path + "/bytes", everyEvents: 10, keepMax: 100, bytesMax: size * 2 + size / 2)
        for position in [10, 20, 30, 40] as [UInt64] { try byBytes.take(database, position: position) }
        #expect(byBytes.positions() == [20, 40])
        #expect(byBytes.isDue(previous: 39, current: 40))
        #expect(!byBytes.isDue(previous: 40, current: 49))
        // A snapshot is a plain rollback-journal file, whatever the source's journal mode.
        let copy = try SQLiteDatabase(path: byBytes.path(40), mode: .readOnly)
        #expect(try copy.scalar("SELECT count(*) FROM t") == 100)
        // No partial files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/bytes").allSatisfy { $0.hasSuffix(".sqlite") })
    }

    @Test("the spacing stretches with the database's size, so copies do not grow with the square of the history")
    func stretchedSpacing() {
        let store = SnapshotStore(directory: "/nonexistent", everyEvents: 100, keepMax: 10, bytesMax: 1 << 40)
        let unit = SnapshotStore.stretchBytes
        // Small databases: every boundary, as before, even one batch end after the last snapshot.
        #expect(store.isDue(previous: 99, current: 100, last: 0, bytes: unit / 2))
        #expect(store.isDue(previous: 199, current: 200, last: 100, bytes: unit))
        #expect(store.isDue(previous: 170, current: 230, last: 130, bytes: unit))
        // Not at a boundary: never.
        #expect(!store.isDue(previous: 201, current: 250, last: 100, bytes: 1))
        // Three units: every 300 events at most often.
        #expect(!store.isDue(previous: 299, current: 300, last: 100, bytes: 3 * unit))
        #expect(store.isDue(previous: 399, current: 400, last: 100, bytes: 3 * unit))
        // Counting from the last snapshot taken, whatever the boundary.
        #expect(!store.isDue(previous: 599, current: 600, last: 400, bytes: 3 * unit))
        // Over a simulated build whose database grows 1 unit per 100 events, the bytes copied stay linear.
        var copied: Int64 = 0
        var last: UInt64 = 0
        for position in stride(from: UInt64(100), through: 10_000, by: 100) {
            let bytes = Int64(position / 100) * unit
            if store.isDue(previous: position - 1, current: position, last: last, bytes: bytes) {
                copied += bytes
                last = position
            }
        }
        let fixed = (1...100).reduce(Int64(0)) { $0 + Int64($1) * unit }
        #expect(copied < fixed / 10, "stretched spacing copies \(copied / unit) units, fixed spacing \(fixed / unit)")
        #expect(copied <= 3 * 100 * unit)
    }

    @Test("thinning keeps the largest gap under about twice head / keepMax")
    func thinning() {
        for keep in [10, 20, 128] {
            var kept: [UInt64] = []
            for position in stride(from: UInt64(10), through: 100_000, by: 10) {
                kept.append(position)
                while kept.count > keep { kept.remove(at: SnapshotStore.thinningVictim(kept)) }
            }
            let gaps = zip([0] + kept, kept).map { $1 - $0 }
            #expect(kept.last == 100_000, "the newest is never dropped")
            #expect(gaps.max()! <= 2 * 100_000 / UInt64(keep), "keep \(keep): gaps \(gaps.max()!)")
        }
    }
}
