package dev.atoll.gateway.dlp;

import java.util.List;

/**
 * Thrown by {@link DlpResult#payloadOr} for a blocked payload, for callers that prefer an exception to
 * a switch over the verdict. The message is the verdict's: rule ids and direction only.
 */
public final class DlpBlockedException extends DlpException {
    private static final long serialVersionUID = 1L;

    private final Direction direction;
    private final String[] ruleIds;

    /**
     * @param direction the direction of the blocked payload
     * @param ruleIds the blocking rules
     * @param message the client-safe message
     */
    public DlpBlockedException(Direction direction, List<String> ruleIds, String message) {
        super(message);
        this.direction = direction;
        this.ruleIds = ruleIds.toArray(String[]::new);
    }

    /**
     * @return the direction of the blocked payload
     */
    public Direction direction() {
        return direction;
    }

    /**
     * @return the blocking rules (empty when an incomplete scan was blocked)
     */
    public List<String> ruleIds() {
        return List.of(ruleIds);
    }
}
