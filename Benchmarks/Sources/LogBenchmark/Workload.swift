import BenchmarkSupport
import EventLog
import Foundation

/// Deterministic, realistic events: payloads shaped like the domain's (task edits, moves, comments),
/// about 250 bytes of JSON each, on streams chosen with a Zipf-like skew (a few hot tasks, many quiet ones).
struct Workload: Sendable {
    let streams: [String]
    private let cumulative: [Double]

    init(streamCount: Int, exponent: Double = 1.1) {
        streams = (1...streamCount).map { "task-OPS-\($0)" }
        var total = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(streamCount)
        for rank in 1...streamCount {
            total += 1 / pow(Double(rank), exponent)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    /// The stream for a uniform random number in [0, 1).
    func stream(_ uniform: Double) -> String {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < uniform { low = middle + 1 } else { high = middle }
        }
        return streams[low]
    }

    static let titles = [
        "Rotate the API keys", "Fix the login redirect loop", "Write the incident runbook", "Upgrade PostgreSQL to 16",
        "Review the Q3 budget", "Migrate the billing cron jobs", "Audit access to the data warehouse", "Renew TLS certificates",
    ]
    static let people = ["m-ada", "m-grace", "m-linus", "m-margaret", "m-barbara", "m-ken", "m-radia", "m-edsger"]
    static let states = [("backlog", "backlog"), ("todo", "unstarted"), ("in_progress", "started"), ("review", "started"), ("done", "completed")]

    /// `count` events made before a timed run, so the run measures the store, not the payload generator.
    func pool(count: Int, seed: UInt64) -> [ProposedEvent] {
        var random = SplitMix(state: seed)
        return (0..<count).map { event($0, random: &random) }
    }

    /// Event number `n`: its type and a JSON payload of roughly 250 bytes.
    func event(_ n: Int, random: inout some RandomNumberGenerator, id: EventID? = nil) -> ProposedEvent {
        let stream = stream(Double(random.next() >> 11) / Double(1 << 53))
        let actor = Self.people[Int(random.next() % 8)]
        let kind = random.next() % 10
        let type: String
        let json: String
        switch kind {
        case 0..<4:
            let from = Int(random.next() % 4)
            let (fromState, fromCategory) = Self.states[from]
            let (toState, toCategory) = Self.states[from + 1]
            type = "TaskMoved"
            json =
                #"{"from":"\#(fromState)","to":"\#(toState)","fromCategory":"\#(fromCategory)","toCategory":"\#(toCategory)","transition":"t-\#(from)","rank":"a\#(random.next() % 100_000)","approval":null,"by":"\#(actor)","reason":"moved on the board"}"#
        case 4..<6:
            type = "TaskEdited"
            let title = Self.titles[Int(random.next() % 8)]
            json =
                #"{"changes":[{"field":"title","from":"\#(title)","to":"\#(title) (v\#(n % 7))","fromDisplay":"\#(title)","toDisplay":"\#(title) (v\#(n % 7))"}],"by":"\#(actor)"}"#
        case 6..<8:
            type = "CommentAdded"
            json =
                #"{"commentId":"c-\#(n)","author":"\#(actor)","body":"Checked with \#(Self.people[Int(random.next() % 8)]): the change is deployed to staging, waiting for the smoke tests \#(n % 97)."}"#
        case 8:
            type = "TaskAssigned"
            json =
                #"{"assignee":"\#(Self.people[Int(random.next() % 8)])","assigneeDisplay":"Team member \#(random.next() % 50)","previous":[],"by":"\#(actor)","notify":true,"watchers":["\#(actor)"]}"#
        default:
            type = "TaskCreated"
            json =
                #"{"number":"OPS-\#(n)","title":"\#(Self.titles[Int(random.next() % 8)])","priority":"\#(["low", "medium", "high", "urgent"][Int(random.next() % 4)])","state":"backlog","labels":["ops","q\#(n % 4 + 1)"],"author":"\#(actor)","estimate":\#(random.next() % 13)}"#
        }
        return ProposedEvent(
            id: id, stream: stream, type: type, json: json,
            extensions: [("actor", .string(actor)), ("correlationid", .string("req-\(n)"))])
    }
}
