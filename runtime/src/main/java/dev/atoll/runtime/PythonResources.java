package dev.atoll.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.graalvm.polyglot.Engine;

/**
 * GraalPy's language home (its standard library) outside the jars. By default GraalVM extracts it on
 * first use into {@code ~/.cache/org.graalvm.polyglot}, which a read-only deployment does not have.
 * {@link #extract(Path)} pre-extracts it at build time (the {@code ./atoll} launcher does this into
 * {@code gateway/target/dist/resources}); a runtime then reads it from there, read-only, when started
 * with {@link ToolRuntime.Builder#pythonResources(Path)} or the JVM property
 * {@value #PROPERTY}.
 */
public final class PythonResources {

    /** The GraalVM system property that names the pre-extracted resource directory. */
    public static final String PROPERTY = "polyglot.engine.resourcePath";

    private PythonResources() {}

    /**
     * Extracts GraalPy's resources (and the engine's own) into {@code dir}.
     *
     * @param dir the target directory, created if missing
     * @throws AtollRuntimeException if they cannot be extracted
     */
    public static void extract(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir);
            if (!Engine.copyResources(dir, "python")) {
                throw new AtollRuntimeException("GraalPy's resources are not on the module path");
            }
        } catch (IOException e) {
            throw new AtollRuntimeException(
                    "cannot extract GraalPy's resources into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The resource directory this JVM was told to use, if any. */
    public static Optional<Path> configured() {
        return Optional.ofNullable(System.getProperty(PROPERTY))
                .filter(s -> !s.isBlank())
                .map(Path::of);
    }

    /**
     * Points this JVM's GraalVM engines at a pre-extracted resource directory. Must happen before the
     * first engine is created (GraalVM reads the property once).
     *
     * @param dir a directory filled by {@link #extract(Path)}
     * @throws AtollRuntimeException if it does not hold GraalPy's resources, or the JVM already uses another
     */
    static void use(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs.resolve("python"))) {
            throw new AtollRuntimeException("the Python resource directory " + abs + " has no python/ inside:"
                    + " fill it with PythonResources.extract (./atoll does this at build time)");
        }
        Optional<Path> current = configured();
        if (current.isPresent() && !current.get().toAbsolutePath().normalize().equals(abs)) {
            throw new AtollRuntimeException("this JVM already uses the resource directory " + current.get() + " (-D"
                    + PROPERTY + "); cannot switch to " + abs);
        }
        System.setProperty(PROPERTY, abs.toString());
    }

    /**
     * Extracts the resources into the directory given as the only argument (a build step).
     *
     * @param args the target directory
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: PythonResources DIR");
            System.exit(2);
        }
        extract(Path.of(args[0]));
        System.out.println("GraalPy resources extracted into " + args[0]);
    }
}
