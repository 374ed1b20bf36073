package dev.atoll.runtime.internal;

import dev.atoll.runtime.spi.HostBinding;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Source;

/**
 * A host binding installed in a runtime, with its guest scripts parsed once for the shared engines
 * (each language's {@link GuestLanguage#bindingScript} picks its own).
 *
 * @param binding the binding
 * @param script its JavaScript guest script as a source shared by every context
 * @param python its Python guest script, if it has one
 */
public record Binding(HostBinding binding, Source script, java.util.Optional<Source> python) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    /**
     * @param binding the binding
     * @return the installed binding
     * @throws IllegalArgumentException if its name is invalid
     */
    public static Binding of(HostBinding binding) {
        String name = binding.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a binding name must match [a-z][a-z0-9_]{0,31}, got '" + name + "'");
        }
        return new Binding(
                binding,
                Source.newBuilder("js", binding.guestScript(), "atoll-binding-" + name + ".js")
                        .buildLiteral(),
                binding.guestScript(dev.atoll.runtime.Language.PYTHON)
                        .map(code -> Source.newBuilder("python", code, "atoll-binding-" + name + ".py")
                                .buildLiteral()));
    }
}
