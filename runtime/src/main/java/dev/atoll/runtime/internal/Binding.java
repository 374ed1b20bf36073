package dev.atoll.runtime.internal;

import dev.atoll.runtime.spi.HostBinding;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Source;

/**
 * A host binding installed in a runtime, with its guest script parsed once for the shared engine.
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
        return new Binding(binding, Source.newBuilder("js", binding.guestScript(), "atoll-binding-" + name + ".js")
                .buildLiteral(),
                binding.guestScript(dev.atoll.runtime.Language.PYTHON).map(code -> Source.newBuilder("python", code,
                        "atoll-binding-" + name + ".py").buildLiteral()));
    }

    /**
     * @param language a guest language
     * @return this binding's guest script for it, or empty if it offers nothing to that language
     */
    public java.util.Optional<Source> script(dev.atoll.runtime.Language language) {
        return language == dev.atoll.runtime.Language.JS ? java.util.Optional.of(script) : python;
    }
}
