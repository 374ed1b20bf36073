package dev.atoll.gateway.dlp;

/** Which part of a JSON location a match is in. */
public enum Part {
    /** A string (or integral number) value at the pointer. */
    VALUE,
    /**
     * A member name of the object at the pointer (the name itself is never put in the pointer; see
     * {@link Match#pointer()}).
     */
    KEY,
    /** A plain-text scan ({@link DlpEngine#scanText}); the pointer is empty. */
    TEXT
}
