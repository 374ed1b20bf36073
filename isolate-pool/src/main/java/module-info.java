/**
 * Atoll's isolate pool: pre-warmed single-use contexts per tool version, a digest-keyed cache of
 * loaded tools, and admission control (per-tool and global concurrency, a bounded queue with a
 * deadline, then load shedding) in front of {@code dev.atoll.runtime}.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.isolate.pool {
    requires static org.jspecify;
    requires transitive dev.atoll.runtime;
    requires com.github.benmanes.caffeine;

    exports dev.atoll.isolate.pool;
}
