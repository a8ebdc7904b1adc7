import CLZ4

/// Compresses a batch's JSON lines into one standard LZ4 frame (content size and content checksum
/// set, so `lz4 -dc` checks it too). Holds a reusable context: one per writer thread.
final class LZ4FrameCompressor {
    private var context: OpaquePointer?
    private var preferences = LZ4F_preferences_t()

    /// `level` 0 is LZ4's fast mode; 3–12 are the HC levels (better ratio, slower).
    init(level: Int32) {
        var created: OpaquePointer?
        let result = LZ4F_createCompressionContext(&created, UInt32(LZ4F_VERSION))
        precondition(LZ4F_isError(result) == 0, "LZ4F_createCompressionContext failed")
        context = created
        preferences.compressionLevel = level
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.blockMode = LZ4F_blockLinked
        preferences.frameInfo.blockSizeID = LZ4F_max256KB
    }

    deinit { LZ4F_freeCompressionContext(context) }

    private func check(_ code: Int) {
        // Only a programming error (a buffer smaller than LZ4's own bound) can fail here.
        precondition(LZ4F_isError(code) == 0, "LZ4 compression failed: \(String(cString: LZ4F_getErrorName(code)))")
    }

    /// Appends the LZ4 frame of `input` to `output`; returns the frame's length.
    func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Int {
        var prefs = preferences
        prefs.frameInfo.contentSize = UInt64(input.count)
        let bound = LZ4F_compressFrameBound(input.count, &prefs)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out -> Int in
            let base = out.baseAddress! + start
            let header = LZ4F_compressBegin(context, base, bound, &prefs)
            check(header)
            let body = LZ4F_compressUpdate(context, base + header, bound - header, input.baseAddress, input.count, nil)
            check(body)
            let end = LZ4F_compressEnd(context, base + header + body, bound - header - body, nil)
            check(end)
            return header + body + end
        }
        output.removeLast(bound - written)
        return written
    }
}

/// Decompresses LZ4 frames; holds a reusable context, so use one per thread or reader.
final class LZ4FrameDecompressor {
    private var context: OpaquePointer?
    private var options = LZ4F_decompressOptions_t()

    /// `checksContent: false` skips the frame's XXH32 content checksum. Only for a caller that proves the
    /// content otherwise: the verifier checks the CRC-32C of every frame byte (the checksum included) and
    /// the SHA-256 of every decompressed line, so XXH32 adds nothing there but ~15 % of its CPU.
    init(checksContent: Bool = true) {
        options.skipChecksums = checksContent ? 0 : 1
        var created: OpaquePointer?
        let result = LZ4F_createDecompressionContext(&created, UInt32(LZ4F_VERSION))
        precondition(LZ4F_isError(result) == 0, "LZ4F_createDecompressionContext failed")
        context = created
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    /// Decompresses one whole frame of `expectedBytes` content; returns nil with a reason when the frame
    /// is damaged (bad structure, wrong length, or content checksum mismatch).
    func decompress(_ frame: UnsafeRawBufferPointer, expectedBytes: Int) -> Result<[UInt8], DecompressionFailure> {
        // Not zero-filled first: every byte is written by the decompressor, or the result is discarded.
        var output = [UInt8](unsafeUninitializedCapacity: expectedBytes) { _, count in count = expectedBytes }
        if let failure = decompress(frame, expectedBytes: expectedBytes, into: &output) { return .failure(failure) }
        return .success(output)
    }

    /// Decompresses into `output` (resized to `expectedBytes`; reusing one buffer saves an allocation
    /// per batch when many are read in a row); nil on success.
    func decompress(_ frame: UnsafeRawBufferPointer, expectedBytes: Int, into output: inout [UInt8]) -> DecompressionFailure? {
        LZ4F_resetDecompressionContext(context)
        if output.count < expectedBytes {
            output = [UInt8](unsafeUninitializedCapacity: expectedBytes) { _, count in count = expectedBytes }
        } else if output.count > expectedBytes {
            output.removeLast(output.count - expectedBytes)
        }
        var consumedTotal = 0
        var producedTotal = 0
        var hint = 1
        while hint != 0 {
            var consumed = frame.count - consumedTotal
            var produced = expectedBytes - producedTotal
            guard consumed > 0 else { return (DecompressionFailure(reason: "LZ4 frame ends early")) }
            hint = output.withUnsafeMutableBytes { out in
                LZ4F_decompress(context, out.baseAddress! + producedTotal, &produced, frame.baseAddress! + consumedTotal, &consumed, &options)
            }
            if LZ4F_isError(hint) != 0 {
                return DecompressionFailure(reason: "LZ4: " + String(cString: LZ4F_getErrorName(hint)))
            }
            consumedTotal += consumed
            producedTotal += produced
            if consumed == 0 && produced == 0 && hint != 0 {
                return DecompressionFailure(reason: "LZ4 frame is incomplete")
            }
        }
        guard producedTotal == expectedBytes else {
            return DecompressionFailure(reason: "LZ4 frame holds \(producedTotal) bytes, header says \(expectedBytes)")
        }
        guard consumedTotal == frame.count else {
            return DecompressionFailure(reason: "LZ4 frame is \(consumedTotal) bytes, header says \(frame.count)")
        }
        return nil
    }

    struct DecompressionFailure: Error {
        let reason: String
    }
}
