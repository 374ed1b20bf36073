package dev.atoll.host.bindings.internal;

/** Syntax of host names the egress policy accepts: plain lowercase LDH labels, nothing else. */
public final class HostNames {

    private HostNames() {}

    /**
     * Whether {@code name} is 1 to 253 characters of dot-separated labels, each 1 to 63 of
     * {@code [a-z0-9-]} not starting or ending with a hyphen. No trailing dot, no upper case, no
     * percent-encoding, no non-ASCII (IDNs must be written in their {@code xn--} form).
     *
     * @param name a candidate
     * @return true if it is such a name
     */
    public static boolean isLdh(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                int len = i - labelStart;
                if (len < 1 || len > 63 || name.charAt(labelStart) == '-' || name.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else {
                char c = name.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }
}
