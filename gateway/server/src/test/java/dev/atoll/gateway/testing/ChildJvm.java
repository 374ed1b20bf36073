package dev.atoll.gateway.testing;

import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Launching a gateway in a JVM of its own, for tests that kill it ({@code kill -9}) or measure it. */
public final class ChildJvm {

    private ChildJvm() {}

    /**
     * The JVM flag a child gateway gets so it skips the production JIT warm-up (30 s of a core),
     * as the test JVM does (atoll.test.args in the root POM).
     */
    public static final String NO_WARM_UP = "-Datoll.default.runtime.jit-warm-up-ms=0";

    /**
     * The test JVM's module path and class path, plus the server module's classes and test classes,
     * as one class path (surefire's own jars left out).
     *
     * @return the class path for {@code java -cp}
     */
    public static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        Path target = UpstreamTestSupport.root().resolve("gateway/server/target");
        entries.add(target.resolve("test-classes").toString());
        entries.add(target.resolve("classes").toString());
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            for (String e : System.getProperty(prop, "").split(File.pathSeparator)) {
                if (!e.isBlank() && !e.contains("surefire")) {
                    entries.add(e);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
