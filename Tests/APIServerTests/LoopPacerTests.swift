import NIOCore
import NIOPosix
import Testing

@testable import APIServer

/// Live SSE subscribers run on their connection's event loop and are paced by one timer per loop.
@Suite("Event-loop pacing of live subscribers")
struct LoopPacerTests {
    @Test("a task preferring an event loop's executor runs its nonisolated code on that loop")
    func runsOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let onLoop = await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
            await Self.inEventLoop(loop)
        }
        #expect(onLoop)
        // Without the preference the same function runs on the global executor.
        #expect(await Self.inEventLoop(loop) == false)
        try await group.shutdownGracefully()
    }

    /// A nonisolated async function: it runs on the task's preferred executor, if any.
    private static func inEventLoop(_ loop: any EventLoop) async -> Bool {
        await Task.yield()
        return loop.inEventLoop
    }

    @Test("a slot's waiters wake at its tick, never early; the timer stops once none wait")
    func slotsWakeAtTheirTick() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // Paced in full from one subscriber on (none joins here).
        let pacer = LoopPacer(eventLoop: group.next(), interval: .milliseconds(40), fullFrom: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let times = await withTaskGroup(of: (slot: Int, after: Duration).self) { tasks in
            for index in 0..<8 {
                tasks.addTask {
                    await pacer.nextTick(slot: index % 2)
                    return (index % 2, clock.now - start)
                }
            }
            return await tasks.reduce(into: []) { $0.append($1) }
        }
        #expect(times.count == 8)
        // Ticks come every quarter interval: slot 1 at the first, slot 0 at the fourth. No upper bound: with
        // the test suite running in parallel a waiter may register (and so wake) seconds late.
        for (slot, after) in times {
            #expect(after >= .milliseconds(slot == 1 ? 9 : 39), "slot \(slot) woke too early, after \(after)")
        }
        #expect(pacer.waiting == 0)
        let ticks = pacer.ticks
        try await Task.sleep(for: .milliseconds(60))
        #expect(pacer.ticks == ticks, "a tick with nobody waiting")
        try await group.shutdownGracefully()
    }

    @Test("slots are given round robin")
    func slotsRoundRobin() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pacer = LoopPacer(eventLoop: group.next(), interval: .milliseconds(20))
        #expect((0..<8).map { _ in pacer.join() } == [0, 1, 2, 3, 0, 1, 2, 3])
        try await group.shutdownGracefully()
    }

    @Test("the pause is the interval scaled by the loop's subscribers, whole from fullFrom on")
    func pauseFollowsSubscribers() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pacer = LoopPacer(eventLoop: group.next(), interval: .milliseconds(400), fullFrom: 100)
        #expect(pacer.currentInterval == .milliseconds(4), "none yet: paced as one")
        _ = pacer.join()
        #expect(pacer.currentInterval == .milliseconds(4))
        for _ in 1..<50 { _ = pacer.join() }
        #expect(pacer.currentInterval == .milliseconds(200))
        for _ in 50..<150 { _ = pacer.join() }
        #expect(pacer.currentInterval == .milliseconds(400), "never more than the interval")
        for _ in 0..<149 { pacer.leave() }
        #expect(pacer.subscribers == 1)
        try await group.shutdownGracefully()
    }

    // By the delay the timer is scheduled with, not by a wall clock: with the whole suite running in
    // parallel on two cores, a woken waiter may run a minute late (seen once in CI).
    @Test("the timer ticks at a quarter of the pause: a lone subscriber waits a fraction of the interval")
    func tickFollowsThePause() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pacer = LoopPacer(eventLoop: group.next(), interval: .seconds(40), fullFrom: 1_000)
        _ = pacer.join()
        #expect(pacer.tickDelay == .milliseconds(10))
        for _ in 1..<1_000 { _ = pacer.join() }
        #expect(pacer.tickDelay == .seconds(10))
        for _ in 1..<1_000 { pacer.leave() }
        // A lone subscriber is woken (its slot's tick is the fourth, 40 ms away).
        await pacer.nextTick(slot: 0)
        #expect(pacer.waiting == 0)
        pacer.leave()
        try await group.shutdownGracefully()
    }

    @Test("the registry has one pacer per loop of its group, and none for a loop outside it")
    func onePacerPerLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let other = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let registry = SubscriptionRegistry(eventLoopGroup: group)
        let first = ObjectIdentifier(group.next())
        let second = ObjectIdentifier(group.next())
        #expect(first != second)
        let pacer = try #require(registry.pacer(forLoop: first))
        #expect(ObjectIdentifier(pacer.eventLoop) == first)
        #expect(registry.pacer(forLoop: first) === pacer)
        #expect(registry.pacer(forLoop: second) !== pacer)
        #expect(registry.pacer(forLoop: ObjectIdentifier(other.next())) == nil)
        try await group.shutdownGracefully()
        try await other.shutdownGracefully()
    }
}
