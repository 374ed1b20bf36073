package dev.atoll.gateway.dlp;

/** A scan limit that stopped a scan before it saw everything ({@link ScanLimits}). */
public enum Limit {
    /** JSON nested deeper than {@link ScanLimits#maxJsonDepth()}: deeper levels were not scanned. */
    JSON_DEPTH,
    /** More than {@link ScanLimits#maxScanChars()} characters: the rest was not scanned. */
    SCAN_SIZE,
    /** Decoded layers beyond {@link ScanLimits#maxDecodedChars()} characters were not scanned. */
    DECODE_BUDGET,
    /** Text still decodable at {@link ScanLimits#maxDecodeDepth()} layers of encoding was not decoded further. */
    DECODE_DEPTH
}
