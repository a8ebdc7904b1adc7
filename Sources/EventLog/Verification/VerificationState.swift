import Foundation

/// Where a verification stopped, saved so that the next one (`verify --incremental`) reads only what is
/// new: the batch it ended with (checked again, by its chain hash, before going on), the stream
/// versions it reached (so versions still run on by one), and the redacted events it saw.
///
/// An incremental run trusts the part verified before; a full run, or one against a signed checkpoint,
/// re-reads everything (docs/auditing.md).
public struct VerificationState: Codable, Sendable, Equatable {
    public var workspace: String
    /// The segment (its first position) and the offset just after the last verified batch.
    public var segment: UInt64
    public var offset: Int64
    /// Bytes of the last verified batch (header and frame), which ends at `offset`.
    public var lastBatchBytes: Int
    public var headPosition: UInt64
    /// Hex of the chain hash of the last verified batch.
    public var headHash: String
    /// Microseconds since 1970 of the last verified batch's commit.
    public var headCommittedAt: Int64?
    public var events: UInt64
    public var batches: Int
    public var rawBytes: UInt64
    public var storedBytes: UInt64
    public var streams: [String: UInt64]
    public var redactedPositions: [UInt64]
    /// When this state was saved (RFC 3339).
    public var verifiedAt: String

    /// Reads a state file written by `save`.
    public static func load(_ path: String) throws(EventLogError) -> VerificationState {
        do {
            return try JSONDecoder().decode(VerificationState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .invalidInput(reason: "cannot read the verification state \(path): \(error.localizedDescription)")
        }
    }

    /// Writes the state durably (temporary file, fsync, rename).
    public func save(_ path: String) throws(EventLogError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(self)) } catch { throw .invalidInput(reason: "cannot encode the verification state: \(error)") }
        try DurableFile.replace(path, with: bytes)
    }
}

extension VerificationReport {
    /// The state to save after a verification that found the log intact (nil otherwise).
    public func resumeState(workspace: String) -> VerificationState? {
        guard problem == nil else { return nil }
        return VerificationState(
            workspace: workspace, segment: end.segment, offset: end.offset, lastBatchBytes: lastBatchBytes, headPosition: head.position,
            headHash: head.batchHash.description, headCommittedAt: head.committedAt?.unixMicros, events: events, batches: batches,
            rawBytes: rawBytes, storedBytes: storedBytes, streams: streamVersions, redactedPositions: redactedPositions,
            verifiedAt: ISO8601DateFormatter().string(from: Date()))
    }

    /// Starts from what an earlier run verified.
    mutating func resume(from state: VerificationState) {
        events = state.events
        batches = state.batches
        rawBytes = state.rawBytes
        storedBytes = state.storedBytes
        streams = state.streams.count
        lastBatchBytes = state.lastBatchBytes
        end = (state.segment, state.offset)
        head = LogHead(
            position: state.headPosition, batchHash: Digest32(hex: state.headHash) ?? .zero,
            committedAt: state.headCommittedAt.map { Timestamp(unixMicros: $0) })
    }
}
