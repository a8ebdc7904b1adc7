import ArgumentParser
import EventLog
import Foundation

/// `taskledger verify`: the whole hash chain of a workspace (or of a backup), offline; optionally only
/// what is new since the last run, and against signed checkpoints an auditor kept.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove a workspace's log (or a backup of it) intact, offline: every checksum, digest and the whole hash chain.",
        discussion: """
            Reads the segment files only (no lock), so it runs beside a live server, on a copy or on a backup. \
            --incremental reads only what is new since the last verification saved its state (--state). \
            --checkpoint FILE (repeatable) checks that the log still has the chain hash a signed checkpoint recorded at its position: \
            a history rewritten with recomputed hashes fails here. \
            Exit 0: intact. 3: damaged (the first bad batch is named). 4: ends in an unfinished write. \
            7: the log does not match a checkpoint (rewritten or truncated). 8: a checkpoint is not validly signed, is for another \
            workspace, or is not signed by --public-key.
            """
    )

    @Option(name: .customLong("data"), help: "The data directory.")
    var dataDirectory = "./taskledger-data"

    @Option(help: "The workspace (with --backup: taken from the backup's manifest when left out).")
    var workspace: String?

    @Option(help: "Verify the backup in this directory (made by `taskledger backup`) instead of the data directory.")
    var backup: String?

    @Flag(
        help: "Read only what is new since the last verification (its state is in --state), after checking that the batch it ended with is unchanged."
    )
    var incremental = false

    @Option(help: "Where the state of the last verification is kept (default: verify-state.json in the workspace or backup directory).")
    var state: String?

    @Option(name: .customLong("checkpoint"), help: "A signed checkpoint (JSON, as served by the API) to check the log against; repeatable.")
    var checkpoints: [String] = []

    @Option(help: "The hex Ed25519 public key checkpoints must be signed with (the server's, pinned by the auditor).")
    var publicKey: String?

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let (verifier, statePath) = try target()
        let loaded = try checkpoints.map { try loadCheckpoint($0, workspace: verifier.workspace) }
        var previous: VerificationState?
        if incremental, FileManager.default.fileExists(atPath: statePath) {
            do { previous = try VerificationState.load(statePath) } catch { throw fail(error) }
        }
        // A checkpoint at or before where the incremental run resumes cannot be compared: read it all.
        if let resume = previous, loaded.contains(where: { $0.position <= resume.headPosition }) { previous = nil }
        let report: VerificationReport
        do {
            report = try verifier.verify(resuming: previous, watching: Set(loaded.map(\.position)))
        } catch {
            throw fail(error)
        }
        var checkpointResults: [(SignedCheckpoint, String?)] = []
        for checkpoint in loaded {
            checkpointResults.append((checkpoint, mismatch(checkpoint, report)))
        }
        let output = StandardOutput()
        if json {
            output.write(verifyJSON(report, previous: previous, checkpoints: checkpointResults) + "\n")
        } else {
            output.write(
                "events \(report.events), batches \(report.batches), segments \(report.segments), streams \(report.streams)\n"
                    + "head position \(report.head.position), head hash \(report.head.batchHash)\n")
            if let previous {
                output.write(
                    "incremental: read \(report.events - previous.events) new events after position \(previous.headPosition) (verified \(previous.verifiedAt))\n"
                )
            }
            if !report.redactedPositions.isEmpty || report.redactionRecords > 0 {
                output.write(
                    "redactions: \(report.redactedPositions.count) events redacted by \(report.redactionRecords) EventsRedacted records"
                        + (report.redactedPositions.isEmpty ? "" : " (positions \(list(report.redactedPositions)))") + "\n")
            }
            if !report.pendingRedactions.isEmpty {
                output.write(
                    "warning: redactions recorded but not applied yet at positions \(list(report.pendingRedactions)) (run taskledger redact --resume)\n"
                )
            }
            for (checkpoint, problem) in checkpointResults where problem == nil {
                output.write("checkpoint of \(checkpoint.signedAt), position \(checkpoint.position), key \(checkpoint.keyID): the log matches it\n")
            }
        }
        output.flush()
        if let problem = report.problem { throw fail("verify: log damaged at \(problem)", status: ExitStatus.corrupt) }
        for (checkpoint, problem) in checkpointResults {
            if let problem {
                throw fail(
                    "verify: checkpoint of \(checkpoint.signedAt) at position \(checkpoint.position): \(problem)",
                    status: ExitStatus.checkpointMismatch)
            }
        }
        if let torn = report.tornTail {
            throw fail("verify: the log ends in an unfinished write, which the next open cuts off, at \(torn)", status: ExitStatus.tornTail)
        }
        if let saved = report.resumeState(workspace: verifier.workspace) {
            do { try saved.save(statePath) } catch {
                StandardError.write("taskledger: warning: cannot save the verification state: \(error.description)\n")
            }
        }
        if !json {
            output.write(
                previous == nil
                    ? "ok: the hash chain verifies from genesis to the head\n"
                    : "ok: the hash chain verifies from the last verified batch to the head\n"
            )
        }
    }

    private func target() throws -> (LogVerifier, String) {
        do {
            if let backup {
                let manifest = try BackupManifest.load(backupDirectory: backup)
                guard let name = workspace ?? manifest?.workspace else {
                    throw fail("verify: \(backup) has no manifest.json; name the workspace with --workspace", status: ExitStatus.badInput)
                }
                return (try LogVerifier(logDirectory: backup + "/log", workspace: name), state ?? backup + "/verify-state.json")
            }
            guard let workspace else { throw fail("verify: --workspace is required (or --backup DIR)", status: ExitStatus.badInput) }
            return (
                try LogVerifier(dataDirectory: dataDirectory, workspace: workspace),
                state ?? "\(dataDirectory)/workspaces/\(workspace)/verify-state.json"
            )
        } catch let error as EventLogError {
            throw fail(error)
        }
    }

    private func loadCheckpoint(_ path: String, workspace name: String) throws -> SignedCheckpoint {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("verify: cannot read checkpoint \(path)", status: ExitStatus.badInput)
        }
        let checkpoint: SignedCheckpoint
        do { checkpoint = try SignedCheckpoint.decode(Array(data)) } catch {
            throw fail("verify: \(path): \(error.description)", status: ExitStatus.checkpointInvalid)
        }
        guard checkpoint.hasValidSignature else {
            throw fail("verify: \(path): the signature does not match the checkpoint (forged or altered)", status: ExitStatus.checkpointInvalid)
        }
        if let publicKey, publicKey.lowercased() != checkpoint.publicKey {
            throw fail("verify: \(path): signed by key \(checkpoint.keyID), not by the pinned --public-key", status: ExitStatus.checkpointInvalid)
        }
        if checkpoint.workspace != name {
            throw fail("verify: \(path): a checkpoint of workspace \(checkpoint.workspace), not \(name)", status: ExitStatus.checkpointInvalid)
        }
        return checkpoint
    }

    /// Why the log does not match `checkpoint`; nil when it does.
    private func mismatch(_ checkpoint: SignedCheckpoint, _ report: VerificationReport) -> String? {
        if let hash = report.hashes[checkpoint.position] {
            return hash.description == checkpoint.chainHash
                ? nil : "the log's chain hash there is \(hash), the checkpoint's \(checkpoint.chainHash): history was rewritten"
        }
        if report.problem != nil { return "not reached: the log is damaged before it" }
        if report.head.position < checkpoint.position {
            return "the log ends at position \(report.head.position), before the checkpoint: history was truncated"
        }
        return "no batch of the log ends at that position: history was rewritten"
    }

    private func list(_ positions: [UInt64]) -> String {
        positions.count <= 20
            ? positions.map(String.init).joined(separator: ", ") : positions.prefix(20).map(String.init).joined(separator: ", ") + ", …"
    }
}

func verifyJSON(_ report: VerificationReport, previous: VerificationState?, checkpoints: [(SignedCheckpoint, String?)]) -> String {
    var base = verificationJSON(report)
    base.removeLast()
    let checks = checkpoints.map { checkpoint, problem in
        #"{"position":\#(checkpoint.position),"signedAt":"\#(checkpoint.signedAt)","keyID":"\#(checkpoint.keyID)","matches":\#(problem == nil),"problem":\#(problem.map(jsonString) ?? "null")}"#
    }
    return base
        + #","incrementalFrom":\#(previous.map { String($0.headPosition) } ?? "null"),"redactedPositions":[\#(report.redactedPositions.map(String.init).joined(separator: ","))],"redactionRecords":\#(report.redactionRecords),"pendingRedactions":[\#(report.pendingRedactions.map(String.init).joined(separator: ","))],"checkpoints":[\#(checks.joined(separator: ","))]}"#
}

/// The exit statuses `verify` adds (docs/cli.md).
extension ExitStatus {
    /// The log does not match a signed checkpoint: rewritten or truncated.
    static let checkpointMismatch: Int32 = 7
    /// A checkpoint is not validly signed, is of another workspace, or is not signed by the pinned key.
    static let checkpointInvalid: Int32 = 8
}
