package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import dev.atoll.runtime.InvalidToolException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Schema 2020-12 validation of tool arguments and results (networknt json-schema-validator).
 * Schemas come from untrusted tool files, so: no remote {@code $ref} is ever fetched, and
 * {@code pattern}/{@code patternProperties} run on RE2/J (linear time) instead of the JDK's
 * backtracking regex, which a hostile pattern could stall on the host thread.
 */
public final class Schemas {

    /** Most violations reported for one value. */
    static final int MAX_ERRORS = 20;

    private final SchemaRegistry registry;

    /** Creates the registry. */
    public Schemas() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .regularExpressionFactory(new Re2Factory())
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaRegistryConfig(config).schemaLoader(l -> l.fetchRemoteResources(false)));
    }

    /**
     * Compiles a schema from a tool manifest.
     *
     * @param what which schema, for the error message ({@code inputSchema})
     * @param node the schema
     * @return the compiled schema
     * @throws InvalidToolException if the schema is invalid or refers to something unavailable
     */
    public Schema compile(String what, ObjectNode node) {
        SchemaBounds.check("tool." + what, node);
        try {
            Schema schema = registry.getSchema(node);
            schema.initializeValidators();
            return schema;
        } catch (RuntimeException e) {
            throw new InvalidToolException("tool." + what + " is not a usable JSON Schema: " + e.getMessage());
        } catch (StackOverflowError e) {
            throw new InvalidToolException("tool." + what + " is not a usable JSON Schema: it nests too deeply");
        }
    }

    /**
     * Validates a value.
     *
     * @param schema the schema
     * @param value the value
     * @return one line per violation ({@code /path: message}), at most {@value #MAX_ERRORS}; empty if valid
     */
    public List<String> validate(Schema schema, JsonNode value) {
        List<Error> errors;
        try {
            errors = schema.validate(value);
        } catch (StackOverflowError e) {
            // Deploy refuses the schemas known to recurse without end; this is the last line, so that a
            // value is refused with a message instead of failing the request.
            return List.of("$: the value cannot be validated: the schema recurses too deeply for it");
        } catch (RuntimeException e) {
            return List.of("$: the value cannot be validated against the schema: "
                    + e.getClass().getSimpleName());
        }
        List<String> out = new ArrayList<>(Math.min(errors.size(), MAX_ERRORS));
        for (Error e : errors) {
            if (out.size() == MAX_ERRORS) {
                out.add("... and " + (errors.size() - MAX_ERRORS) + " more");
                break;
            }
            String where = e.getInstanceLocation().toString();
            out.add((where.isEmpty() ? "$" : where) + ": " + e.getMessage());
        }
        return out;
    }

    /** Compiles schema patterns with RE2/J; a pattern RE2 cannot express is a schema error. */
    private static final class Re2Factory implements RegularExpressionFactory {
        @Override
        public RegularExpression getRegularExpression(String regex) {
            SchemaBounds.checkPattern(regex);
            try {
                Pattern p = Pattern.compile(regex);
                return value -> p.matcher(value).find();
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pattern '" + regex + "' is not supported (Atoll evaluates"
                        + " schema patterns with RE2: no backreferences or lookaround): " + e.getDescription());
            }
        }
    }
}
