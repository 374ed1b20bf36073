package dev.atoll.gateway.dlp;

/** What kind of data a rule detects; the default actions differ by category. */
public enum Category {
    /** Credentials: API keys, tokens, private keys, passwords, connection strings. */
    SECRET,
    /** Personal data: e-mail addresses, phone numbers, payment cards, IBANs, national ids. */
    PII,
    /**
     * Prompt injection in what tools return: instructions addressed to the model, role markers,
     * hidden (invisible or styled-away) text, data-exfiltration links. Logged by default.
     */
    INJECTION
}
