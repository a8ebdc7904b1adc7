import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("engine runtime")
struct RuntimeTests {
    static let unique = """
        -- projection: unique
        -- description: Fails on the second event of a stream (the primary key refuses it).
        -- schema
        CREATE TABLE firsts (stream TEXT PRIMARY KEY, position INTEGER NOT NULL);
        -- on: *
        INSERT INTO firsts (stream, position) VALUES (:stream, :position);
        -- query: all()
        SELECT stream, position FROM firsts ORDER BY position;
        """

    @Test("a failing statement stops only its projection, at that event, with the error in status")
    func runtimeFailure() async throws {
        let fixture = try EngineFixture(definitions: ["unique": Self.unique, "counter": try DefinitionFiles.text("counter")])
        // Streams s-0 … s-6, then s-0 again at position 8: the 8th event fails `unique`, after it went live
        // (a projection failing during its first build is never served) and in the middle of a batch.
        try await fixture.append(sampleEvents(5, streams: 7))
        let engine = try await fixture.started { $0.batchEventsMax = 5 }
        let last = try await fixture.append(sampleEvents(15, streams: 7, offset: 5))
        #expect(try await engine.waitUntil(projection: "counter", position: last, timeout: .seconds(10)))
        #expect(try await engine.waitUntil(projection: "unique", position: last, timeout: .seconds(10)) == false)
        let statuses = Dictionary(uniqueKeysWithValues: engine.status().map { ($0.name, $0) })
        let unique = try #require(statuses["unique"])
        guard case .failed(let position, let message) = unique.state else {
            Issue.record("expected a failure, got \(unique.state)")
            return
        }
        #expect(position == 8)
        #expect(message.contains("UNIQUE constraint failed: firsts.stream"), "\(message)")
        #expect(message.contains("line 6"), "\(message)")
        #expect(unique.checkpoint == 7)
        #expect(unique.lag == 13)
        #expect(statuses["counter"]?.state == .live)
        #expect(statuses["counter"]?.checkpoint == 20)
        // The failed projection still answers, as of its checkpoint; a new event does not move it.
        let answer = try engine.query(projection: "unique", query: "all")
        #expect(answer.position == 7)
        #expect(answer.rows.count == 7)
        let next = try await fixture.append(sampleEvents(1, offset: 20))
        #expect(try await engine.waitUntil(projection: "counter", position: next, timeout: .seconds(10)))
        #expect(try await engine.waitUntil(projection: "unique", position: next, timeout: .seconds(10)) == false)
        await engine.stop()
        // The failure is recorded in the database, which stays at 7.
        let meta = try #require(DatabaseMeta.read(path: fixture.projectionsDirectory + "/unique/\(unique.servingVersion!).sqlite"))
        #expect(meta.checkpoint == 7)
        #expect(meta.failedPosition == 8)
    }

    @Test("live: an append becomes visible through waitUntil, woken by the commit")
    func live() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(30))
        let engine = try await fixture.started()
        #expect(engine.status().first?.state == .live)
        #expect(try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Deleted")]).rows.isEmpty)
        let position = try await fixture.append([event("s-1", "Deleted", #"{"n":99}"#)])
        // Woken by the commit: well before the timeout. (The margin is wide because `make test` can starve
        // this process for seconds: 11.6 s was seen against a 5 s bound under its load.)
        let started = ContinuousClock.now
        #expect(try await engine.waitUntil(projection: "items", position: position, timeout: .seconds(120)))
        #expect(ContinuousClock.now - started < .seconds(60))
        let result = try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Deleted")])
        #expect(result.texts == ["31|s-1|99"])
        #expect(result.position == 31)
        // Waiting for a position not yet appended times out.
        #expect(try await engine.waitUntil(projection: "items", position: 1_000, timeout: .milliseconds(100)) == false)
        await engine.stop()
    }

    /// One table of the `n` of every `Seen` event, and their count and sum.
    static let seen = """
        -- projection: seen
        -- schema
        CREATE TABLE seen (n INTEGER NOT NULL);
        -- on: Seen
        INSERT INTO seen (n) VALUES (:data.n);
        -- query: seen()
        SELECT count(*) AS events, sum(n) AS total FROM seen;
        """

    /// Returns once `condition` holds, or after a minute (the caller's expectations then fail).
    private func poll(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test("a writer that falls behind applies the batches that piled up meanwhile in one transaction")
    func piledUpBatchesShareATransaction() async throws {
        let fixture = try EngineFixture(definitions: ["seen": Self.seen])
        // One event per batch from the feed: without sharing, every event would be a transaction.
        let engine = try await fixture.started { $0.batchEventsMax = 1 }
        let writer = try #require(engine.servedWriter("seen"))
        let before = writer.state.transactions
        // The writer's thread is held while the 21 batches reach its queue, so they pile up however fast or
        // slow the machine is; then it is let go.
        let release = writer.holdThread()
        var last: UInt64 = 0
        for n in 1...21 { last = try await fixture.append([event("s-\(n)", "Seen", #"{"n":\#(n)}"#)]) }
        try await poll { writer.queuedBatches >= 21 }
        #expect(writer.queuedBatches == 21)
        release()
        #expect(try await engine.waitUntil(projection: "seen", position: last, timeout: .seconds(60)))
        #expect(try engine.query(projection: "seen", query: "seen").texts == ["21|231"])
        // 21 batches, one transaction each, without sharing; with it, one.
        let transactions = writer.state.transactions - before
        #expect(transactions == 1, "\(transactions) transactions for 21 batches")
        await engine.stop()
    }

    @Test("a served database waits out liveCommitSpacing after a commit, and the batches that come meanwhile share one transaction")
    func commitsAreSpaced() async throws {
        let fixture = try EngineFixture(definitions: ["seen": Self.seen])
        // Longer than the machine has been up, plus an hour: the wait is ended by the test (`commitNow`),
        // never by the clock, however slow the machine; and the first commit must not wait, even though the
        // clock, counting from boot, has not yet reached the spacing (it did wait when the writer counted
        // its last commit as at 0).
        let engine = try await fixture.started {
            $0.batchEventsMax = 1
            $0.liveCommitSpacing = ConditionLock.now() + 3_600
        }
        let writer = try #require(engine.servedWriter("seen"))
        // Nothing committed yet: the first event is applied at once.
        let first = try await fixture.append([event("s-1", "Seen", #"{"n":1}"#)])
        #expect(try await engine.waitUntil(projection: "seen", position: first, timeout: .seconds(60)))
        let before = writer.state.transactions
        // The next batch, right after a commit, waits; the four after it queue up behind it.
        try await fixture.append([event("s-2", "Seen", #"{"n":2}"#)])
        try await poll { writer.isWaitingToCommit }
        #expect(writer.isWaitingToCommit, "the writer waits out the spacing after its commit")
        var last: UInt64 = 0
        for n in 3...6 { last = try await fixture.append([event("s-\(n)", "Seen", #"{"n":\#(n)}"#)]) }
        try await poll { writer.queuedBatches >= 5 }
        #expect(writer.queuedBatches == 5)
        #expect(try engine.query(projection: "seen", query: "seen").texts == ["1|1"])
        writer.commitNow()
        #expect(try await engine.waitUntil(projection: "seen", position: last, timeout: .seconds(60)))
        #expect(try engine.query(projection: "seen", query: "seen").texts == ["6|21"])
        let transactions = writer.state.transactions - before
        #expect(transactions == 1, "\(transactions) transactions for 5 batches")
        // The jobs of the four batches that the transaction took along find nothing to do: they end at once
        // rather than each waiting out the spacing (an hour here) with nothing queued.
        try await poll { writer.isIdle }
        #expect(writer.isIdle && !writer.isWaitingToCommit, "no wait with nothing queued")
        // Stopping ends a wait for the spacing rather than sitting it out (an hour here).
        try await fixture.append([event("s-7", "Seen", #"{"n":7}"#)])
        try await poll { writer.isWaitingToCommit }
        let stopping = ContinuousClock.now
        await engine.stop()
        #expect(ContinuousClock.now - stopping < .seconds(60))
    }

    @Test("a served database catching up after a restart does not space its commits; only batches at the head wait")
    func catchUpIsNotSpaced() async throws {
        let fixture = try EngineFixture(definitions: ["seen": Self.seen])
        try await fixture.append([event("s-0", "Seen", #"{"n":0}"#)])
        let first = try await fixture.started()
        await first.stop()
        // 1,000 events behind: ten batches of 100 on restart, nine of them short of the head.
        let last = try await fixture.append((1...1_000).map { event("s-\($0)", "Seen", #"{"n":\#($0)}"#) })
        let engine = try fixture.engine {
            $0.batchEventsMax = 100
            $0.liveCommitSpacing = 3_600
        }
        try engine.start()
        let writer = try #require(engine.servedWriter("seen"))
        try await poll { writer.isWaitingToCommit || writer.checkpoint >= last }
        // A wait comes only before the batch that reaches the head, when it comes after a commit (unless the
        // batches queued up and went in one transaction): never before the nine short of it, so they are
        // all applied by then. (Before, the second batch waited an hour after the first one's commit.)
        // (It failed once in a full parallel run, at checkpoint 501: the message says what the writer waited for.)
        let waited = "waiting before \(String(describing: writer.waitingBefore)), \(writer.queuedBatches) batches queued"
        #expect(
            writer.checkpoint >= last - 100,
            "the batches short of the head were applied without waiting; \(waited), log head \(fixture.log.head.position)")
        writer.commitNow()
        #expect(try await engine.waitUntil(projection: "seen", position: last, timeout: .seconds(60)))
        await engine.stop()
    }

    @Test("a restart continues from the checkpoint: same rows as an uninterrupted run")
    func restart() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(300))
        let first = try await fixture.started { $0.batchEventsMax = 64 }
        let version = try #require(first.status().first?.servingVersion)
        await first.stop()
        try await fixture.append(sampleEvents(200, offset: 300))
        let second = try await fixture.started { $0.batchEventsMax = 64 }
        #expect(second.status().first?.checkpoint == 500)
        #expect(second.status().first?.servingVersion == version)
        await second.stop()
        let incremental = try dump(path: fixture.projectionsDirectory + "/items/\(version).sqlite")
        let definition = try #require(try fixture.load().definitions.first)
        let fresh = try dump(try freshRebuild(definition, log: fixture.log, through: 500))
        #expect(incremental.checkpoint == 500)
        #expect(incremental.rows == fresh)
    }

    @Test("blue/green: a changed definition is built beside the served one, which answers until the swap")
    func blueGreen() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(20_000))
        let first = try await fixture.started { $0.batchEventsMax = 2_000 }
        let oldVersion = try #require(first.status().first?.servingVersion)
        await first.stop()
        // Version 2 doubles `n`: answers tell which database served them.
        let changed = try DefinitionFiles.text("items").replacingOccurrences(
            of: "VALUES (:position, :type, :stream, :data.n)", with: "VALUES (:position, :type, :stream, :data.n * 2)")
        try fixture.write("items", changed)
        // Small batches so the build takes long enough to be seen.
        let engine = try fixture.engine { $0.batchEventsMax = 50 }
        try engine.start()
        let during = try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Created")], limit: 1)
        #expect(during.texts == ["1|s-0|0"])
        let status = try #require(engine.status().first)
        #expect(status.state == .rebuilding)
        #expect(status.servingVersion == oldVersion)
        #expect(status.definitionVersion != oldVersion)
        let fourth = try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Created")], cursor: during.next, limit: 1)
        #expect(fourth.texts == ["4|s-3|3"], "the old version (n, not 2n) still answers")
        #expect(await engine.waitUntilCaughtUp(timeout: .seconds(120)))
        let after = try #require(engine.status().first)
        #expect(after.state == .live)
        #expect(after.servingVersion == after.definitionVersion)
        let new = try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Created")], cursor: during.next, limit: 1)
        #expect(new.texts == ["4|s-3|6"], "the new version answers after the swap")
        // The old file is gone; only the new version's database remains.
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.projectionsDirectory + "/items").filter { $0.hasSuffix(".sqlite") }
        #expect(files == ["\(after.definitionVersion).sqlite"])
        // And it keeps following the log.
        let position = try await fixture.append(sampleEvents(1, offset: 20_000))
        #expect(try await engine.waitUntil(projection: "items", position: position, timeout: .seconds(10)))
        await engine.stop()
    }

    @Test("rebuild NAME builds the same version beside the served one and swaps it in")
    func rebuild() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(5_000))
        let engine = try await fixture.started()
        let before = try engine.query(projection: "items", query: "items")
        let version = try #require(engine.status().first?.servingVersion)
        try engine.rebuild("items")
        #expect(try engine.query(projection: "items", query: "items") == before)
        #expect(await engine.waitUntilCaughtUp(timeout: .seconds(60)))
        #expect(try engine.query(projection: "items", query: "items") == before)
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.projectionsDirectory + "/items").filter { $0.hasSuffix(".sqlite") }
        #expect(files == ["\(version).b.sqlite"])
        try engine.rebuild("items")
        #expect(await engine.waitUntilCaughtUp(timeout: .seconds(60)))
        let again = try FileManager.default.contentsOfDirectory(atPath: fixture.projectionsDirectory + "/items").filter { $0.hasSuffix(".sqlite") }
        #expect(again == ["\(version).sqlite"])
        #expect(try engine.query(projection: "items", query: "items") == before)
        await engine.stop()
    }

    @Test("a stored database that cannot be served (garbage file, stored definition that no longer compiles) is rebuilt")
    func unservable() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items"), "counter": try DefinitionFiles.text("counter")])
        try await fixture.append(sampleEvents(50))
        let first = try await fixture.started()
        let versions = Dictionary(uniqueKeysWithValues: first.status().map { ($0.name, $0.servingVersion!) })
        await first.stop()
        // counter: the file is not a database any more.
        try Data(repeating: 0x41, count: 8_192).write(
            to: URL(fileURLWithPath: fixture.projectionsDirectory + "/counter/\(versions["counter"]!).sqlite"))
        // items: an older version whose stored source no longer compiles, while the file changed.
        let items = try SQLiteDatabase(path: fixture.projectionsDirectory + "/items/\(versions["items"]!).sqlite")
        try items.execute("UPDATE _projection_meta SET value = '-- projection: items\n-- onn: X' WHERE key = 'source'")
        try fixture.write("items", try DefinitionFiles.text("items") + "\n-- changed\n")
        let second = try await fixture.started()
        for status in second.status() {
            #expect(status.state == .live, "\(status.name)")
            #expect(status.checkpoint == 50, "\(status.name)")
        }
        #expect(try second.query(projection: "counter", query: "all").texts == ["Closed|16", "Created|17", "Moved|17"])
        await second.stop()
    }
}
