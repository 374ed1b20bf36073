package dev.atoll.gateway.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A filter over the audit log; all conditions must hold. Results are in sequence order, from
 * {@code afterSeq + 1}, at most {@code limit}. Build with {@link #builder()}.
 *
 * @param tool only this tool
 * @param tenant only this tenant
 * @param action only this action (wire name, e.g. {@code tool.call})
 * @param from only records at or after this time
 * @param to only records before this time
 * @param afterSeq only records with a larger sequence number (paging)
 * @param limit most records returned
 */
public record AuditQuery(
        Optional<String> tool,
        Optional<String> tenant,
        Optional<String> action,
        Optional<Instant> from,
        Optional<Instant> to,
        long afterSeq,
        int limit) {

    /** Largest page. */
    public static final int MAX_LIMIT = 10_000;

    /** Validates. */
    public AuditQuery {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (afterSeq < 0) {
            throw new IllegalArgumentException("afterSeq must be >= 0, got " + afterSeq);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT + ", got " + limit);
        }
    }

    /** A builder: no conditions, limit 100. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link AuditQuery}. */
    public static final class Builder {
        private Optional<String> tool = Optional.empty();
        private Optional<String> tenant = Optional.empty();
        private Optional<String> action = Optional.empty();
        private Optional<Instant> from = Optional.empty();
        private Optional<Instant> to = Optional.empty();
        private long afterSeq;
        private int limit = 100;

        private Builder() {}

        /** @param tool only this tool @return this builder */
        public Builder tool(String tool) {
            this.tool = Optional.of(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        /** @param tenant only this tenant @return this builder */
        public Builder tenant(String tenant) {
            this.tenant = Optional.of(Objects.requireNonNull(tenant, "tenant"));
            return this;
        }

        /** @param action only this action @return this builder */
        public Builder action(AuditAction action) {
            this.action = Optional.of(action.wireName());
            return this;
        }

        /** @param from only at or after this time @return this builder */
        public Builder from(Instant from) {
            this.from = Optional.of(Objects.requireNonNull(from, "from"));
            return this;
        }

        /** @param to only before this time @return this builder */
        public Builder to(Instant to) {
            this.to = Optional.of(Objects.requireNonNull(to, "to"));
            return this;
        }

        /** @param afterSeq only records after this sequence number @return this builder */
        public Builder afterSeq(long afterSeq) {
            if (afterSeq < 0) {
                throw new IllegalArgumentException("afterSeq must be >= 0, got " + afterSeq);
            }
            this.afterSeq = afterSeq;
            return this;
        }

        /** @param limit 1-10 000 @return this builder */
        public Builder limit(int limit) {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT + ", got " + limit);
            }
            this.limit = limit;
            return this;
        }

        /** The query. */
        public AuditQuery build() {
            return new AuditQuery(tool, tenant, action, from, to, afterSeq, limit);
        }
    }
}
