package dev.atoll.gateway.dlp;

/** A layer of encoding the engine decoded to find a match. */
public enum Encoding {
    /** Standard base64 ({@code +/}, optional {@code =} padding). */
    BASE64,
    /** URL-safe base64 ({@code -_}). */
    BASE64URL,
    /** Hexadecimal digits, two per byte. */
    HEX,
    /** URL percent-encoding ({@code %41}). */
    PERCENT,
    /** JSON/JavaScript string escapes (<code>&#92;u0041</code>, <code>&#92;x41</code>, {@code \n}, ...). */
    ESCAPE
}
