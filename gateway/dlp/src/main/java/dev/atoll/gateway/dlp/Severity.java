package dev.atoll.gateway.dlp;

/** How bad a leak of a rule's data would be; policy rules can select by minimum severity. */
public enum Severity {
    /** Little harm on its own (e.g. an e-mail address). */
    LOW,
    /** Some harm (e.g. a phone number, a generic password assignment). */
    MEDIUM,
    /** Serious harm (e.g. a payment card, a scoped API token). */
    HIGH,
    /** Immediate compromise (e.g. a cloud root key, a private key). */
    CRITICAL
}
