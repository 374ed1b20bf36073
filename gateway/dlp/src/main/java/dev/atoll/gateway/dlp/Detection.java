package dev.atoll.gateway.dlp;

import java.util.List;
import java.util.Optional;

/**
 * What the engine found, before any policy ({@link DlpEngine#detect}).
 *
 * @param matches every match in document order (not capped)
 * @param incomplete the limit that cut the scan short, if any
 */
public record Detection(List<Match> matches, Optional<Limit> incomplete) {
    /** Copies the list. */
    public Detection {
        matches = List.copyOf(matches);
    }
}
