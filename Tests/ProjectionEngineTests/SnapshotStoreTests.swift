import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("snapshots")
struct SnapshotStoreTests {
    @Test("snapshots are keyed by position; the oldest go first when over the count or the byte bound")
    func bounds() throws {
        let directory = TestDirectory()
        let database = try SQLiteDatabase.inMemory()
        try database.execute(
            "CREATE TABLE t (a TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO t SELECT hex(randomblob(1000)) FROM n;"
        )
        let byCount = SnapshotStore(directory: directory.path + "/count", everyEvents: 10, keepMax: 3, bytesMax: 1 << 30)
        for position in [10, 20, 30, 40, 50] as [UInt64] { try byCount.take(database, position: position) }
        #expect(byCount.positions() == [30, 40, 50])
        #expect(byCount.nearest(atOrBefore: 45) == 40)
        #expect(byCount.nearest(atOrBefore: 29) == nil)
        let size = try #require((try FileManager.default.attributesOfItem(atPath: byCount.path(50)))[.size] as? NSNumber).int64Value
        let byBytes = SnapshotStore(directory: directory.path + "/bytes", everyEvents: 10, keepMax: 100, bytesMax: size * 2 + size / 2)
        for position in [10, 20, 30, 40] as [UInt64] { try byBytes.take(database, position: position) }
        #expect(byBytes.positions() == [30, 40])
        #expect(byBytes.isDue(previous: 39, current: 40))
        #expect(!byBytes.isDue(previous: 40, current: 49))
        // No partial files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/bytes").allSatisfy { $0.hasSuffix(".sqlite") })
    }
}
