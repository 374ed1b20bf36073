package dev.atoll.gateway.dlp;

/**
 * Bounds on one scan, so that a hostile payload cannot make the engine spend unbounded time or memory.
 * A scan that reaches a limit reports it ({@link DlpResult#incomplete()}), and the policy's
 * {@link DlpPolicy#onIncomplete()} decides (blocked by default: what was not scanned was not checked).
 *
 * @param maxJsonDepth deepest JSON nesting scanned (1..10 000)
 * @param maxDecodeDepth most layers of encoding decoded inside each other (0..8; 0 turns decoding off)
 * @param maxScanChars most characters of strings and member names scanned per payload
 * @param maxDecodedChars most characters of decoded layers scanned per payload
 * @param maxFindings most matches reported per payload (all are still acted on; the rest are counted)
 */
public record ScanLimits(
        int maxJsonDepth, int maxDecodeDepth, long maxScanChars, long maxDecodedChars, int maxFindings) {

    /** Fails naming the offending value. */
    public ScanLimits {
        check("max-json-depth", maxJsonDepth, 1, 10_000);
        check("max-decode-depth", maxDecodeDepth, 0, 8);
        check("max-scan-chars", maxScanChars, 1, Long.MAX_VALUE);
        check("max-decoded-chars", maxDecodedChars, 0, Long.MAX_VALUE);
        check("max-findings", maxFindings, 1, 1_000_000);
    }

    /**
     * @return depth 256, 3 layers of decoding, 32 Mi characters scanned, 8 Mi decoded, 1 000 findings
     */
    public static ScanLimits defaults() {
        return new ScanLimits(256, 3, 32L << 20, 8L << 20, 1_000);
    }

    /**
     * @param depth the new maximum JSON depth
     * @return a copy with it
     */
    public ScanLimits withMaxJsonDepth(int depth) {
        return new ScanLimits(depth, maxDecodeDepth, maxScanChars, maxDecodedChars, maxFindings);
    }

    /**
     * @param depth the new maximum decoding depth
     * @return a copy with it
     */
    public ScanLimits withMaxDecodeDepth(int depth) {
        return new ScanLimits(maxJsonDepth, depth, maxScanChars, maxDecodedChars, maxFindings);
    }

    /**
     * @param chars the new maximum of scanned characters
     * @return a copy with it
     */
    public ScanLimits withMaxScanChars(long chars) {
        return new ScanLimits(maxJsonDepth, maxDecodeDepth, chars, maxDecodedChars, maxFindings);
    }

    /**
     * @param chars the new maximum of decoded characters
     * @return a copy with it
     */
    public ScanLimits withMaxDecodedChars(long chars) {
        return new ScanLimits(maxJsonDepth, maxDecodeDepth, maxScanChars, chars, maxFindings);
    }

    /**
     * @param findings the new maximum of reported findings
     * @return a copy with it
     */
    public ScanLimits withMaxFindings(int findings) {
        return new ScanLimits(maxJsonDepth, maxDecodeDepth, maxScanChars, maxDecodedChars, findings);
    }

    private static void check(String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(
                    "dlp.limits." + key + " must be within " + min + ".." + max + ", got " + v);
        }
    }
}
