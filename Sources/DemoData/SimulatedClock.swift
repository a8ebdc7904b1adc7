import Synchronization
public import Workflow

/// The simulated time of one generated workspace, shared by its command service (each decision's `now`)
/// and its log (each batch's commit time), so the history's times follow the simulation, not the machine.
///
/// Work happens on weekdays between 08:00 and 18:00 UTC: the generator moves a *working-seconds*
/// offset forward and this maps it onto calendar time, so nights and weekends are quiet as in a real
/// company. The log's commit time is the decision time plus a fixed latency: a batch commits after the
/// decision it carries, and the fixed value keeps the bytes reproducible.
public final class SimulatedClock: Sendable {
    /// Working seconds per working day (08:00-18:00).
    static let workdaySeconds: Int64 = 10 * 3_600
    /// Microseconds between a decision and its batch's commit.
    static let commitLatencyMicros: Int64 = 700

    /// Midnight UTC of the first simulated day (a Monday).
    let startMidnight: Int64
    /// Calendar days simulated.
    let days: Int
    /// Working days in those calendar days.
    let workingDays: Int
    private let micros: Mutex<Int64>

    /// A clock over `days` calendar days from the Monday at `startMidnight` (Unix microseconds), reading
    /// its first working morning.
    init(startMidnight: Int64, days: Int) {
        self.startMidnight = startMidnight
        self.days = days
        workingDays = (0..<days).filter { $0 % 7 < 5 }.count
        micros = Mutex(startMidnight + 8 * 3_600_000_000)
    }

    /// Working seconds available over the whole simulation.
    var workingSecondsTotal: Double { Double(Int64(workingDays) * Self.workdaySeconds) }

    /// The current simulated time: what the command service decides with.
    public var now: Instant { Instant(unixMicros: micros.withLock { $0 }) }

    /// What the log stamps a batch with.
    var commitTime: Int64 { micros.withLock { $0 } + Self.commitLatencyMicros }

    /// Sets the time to `workingSeconds` into the simulation (never backwards).
    func set(workingSeconds: Double) {
        let target = micros(atWorkingSeconds: workingSeconds)
        micros.withLock { $0 = max($0 + 1, target) }
    }

    /// The time (Unix microseconds) `set(workingSeconds:)` would set, without setting it.
    func next(workingSeconds: Double) -> Int64 {
        let target = micros(atWorkingSeconds: workingSeconds)
        return micros.withLock { max($0 + 1, target) }
    }

    /// The current time, Unix microseconds.
    var nowMicros: Int64 { micros.withLock { $0 } }

    private func micros(atWorkingSeconds workingSeconds: Double) -> Int64 {
        let whole = Int64(max(0, workingSeconds) * 1_000_000)
        let dayMicros = Self.workdaySeconds * 1_000_000
        let workingDay = min(Int64(workingDays - 1), whole / dayMicros)
        let intoDay = whole - workingDay * dayMicros
        // The n-th working day: five per seven calendar days.
        let calendarDay = (workingDay / 5) * 7 + workingDay % 5
        return startMidnight + calendarDay * 86_400_000_000 + 8 * 3_600_000_000 + intoDay
    }

    /// The calendar day (since the start) of the current time.
    var calendarDay: Int { Int((micros.withLock { $0 } - startMidnight) / 86_400_000_000) }

    /// The date `offset` calendar days after the current day.
    func date(plusDays offset: Int) -> CalendarDate {
        let day = (micros.withLock { $0 } / 86_400_000_000) + Int64(offset)
        return Self.civilDate(daysSinceEpoch: day)
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian, UTC).
    static func civilDate(daysSinceEpoch: Int64) -> CalendarDate {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        guard let date = CalendarDate(year: year, month: month, day: day) else { preconditionFailure("civil date out of range") }
        return date
    }
}
