package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.cli.AdminClient.Reply;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code atoll tokens ...}: bearer tokens for MCP clients and operators. */
@Command(
        name = "tokens",
        synopsisSubcommandLabel = "COMMAND",
        description = "Manage bearer tokens: MCP tokens (scoped to a tenant and tools) and ADMIN tokens (unscoped).",
        subcommands = {TokenCommands.ListTokens.class, TokenCommands.Create.class, TokenCommands.Revoke.class})
final class TokenCommands extends CommandGroup {

    /** Kinds of token. */
    enum Kind {
        MCP,
        ADMIN
    }

    /** {@code atoll tokens list}. */
    @Command(name = "list", description = "List the tokens (never their values).")
    static final class ListTokens extends AdminCommand {
        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/tokens");
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().printf("%-24s %-6s %-16s %-24s %-20s %s%n", "ID", "KIND", "TENANT", "TOOLS", "LABEL", "STATE");
            for (JsonNode t : r.body()) {
                out().printf(
                                "%-24s %-6s %-16s %-24s %-20s %s%n",
                                t.path("id").asText(),
                                t.path("kind").asText(),
                                t.path("tenant").asText(),
                                join(t.path("scopes")),
                                t.path("label").asText(),
                                t.has("revokedAt")
                                        ? "revoked " + t.path("revokedAt").asText()
                                        : "active");
            }
            return Main.OK;
        }
    }

    /** {@code atoll tokens create}. */
    @Command(
            name = "create",
            description = {
                "Create a token and print it (shown only now; stored hashed).",
                "MCP tokens may be scoped with --tenant and --tools; ADMIN tokens manage everything and take neither."
            })
    static final class Create extends AdminCommand {
        @Option(
                names = "--kind",
                paramLabel = "MCP|ADMIN",
                defaultValue = "MCP",
                description = "the kind of token (default MCP)")
        @SuppressWarnings("NullAway.Init") // picocli sets its defaultValue when the option is absent
        Kind kind;

        @Option(names = "--tenant", paramLabel = "T", description = "the MCP token's tenant (default: default)")
        @Nullable
        String tenant;

        @Option(
                names = "--tools",
                paramLabel = "a,b|*",
                split = ",",
                description = "the tools the MCP token may list and call (default: * = all)")
        @Nullable
        List<String> tools;

        @Option(names = "--label", paramLabel = "TEXT", defaultValue = "cli", description = "a label (default cli)")
        @SuppressWarnings("NullAway.Init") // picocli sets its defaultValue when the option is absent
        String label;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            if (kind == Kind.ADMIN && (tenant != null || tools != null)) {
                throw usage("--tenant and --tools scope MCP tokens only: an ADMIN token manages every tenant and "
                        + "tool, so it cannot be scoped");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("kind", kind.name());
            body.put("tenant", tenant == null ? "default" : tenant);
            body.put("scopes", tools == null ? List.of("*") : tools);
            body.put("label", label);
            Reply r = c.post("/v1/tokens", body);
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            JsonNode t = r.body();
            out().println(t.path("token").asText());
            err().println("atoll: created " + t.path("kind").asText() + " token "
                    + t.path("id").asText()
                    + " (tenant " + t.path("tenant").asText() + ", tools " + join(t.path("scopes"))
                    + "): it is shown only now");
            return Main.OK;
        }
    }

    /** {@code atoll tokens revoke ID}. */
    @Command(name = "revoke", description = "Revoke a token by its id.")
    static final class Revoke extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the token's id (from 'atoll tokens list')")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String id;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.delete("/v1/tokens/" + AdminClient.enc(id));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().println("revoked " + r.body().path("kind").asText() + " token "
                    + r.body().path("id").asText());
            return Main.OK;
        }
    }

    private static String join(JsonNode array) {
        StringBuilder b = new StringBuilder();
        array.forEach(s -> b.append(b.isEmpty() ? "" : ",").append(s.asText()));
        return b.toString();
    }
}
