package dev.atoll.gateway.internal.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ToolBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BM25 search over a fixed catalogue: the relevant tool ranks first, a caller's scope is applied inside
 * the query (never a tool outside it, even when that tool is the best match), and the index follows the
 * catalogue's changes.
 */
class ToolSearchTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Search never calls a backend. */
    private static final ToolBackend NO_BACKEND = (tool, args, context) -> {
        throw new AssertionError("search must not call tools");
    };

    static CatalogEntry tool(String name, String title, String description, String... params) {
        ObjectNode def = F.objectNode().put("name", name).put("description", description);
        if (!title.isEmpty()) {
            def.put("title", title);
        }
        ObjectNode props = def.putObject("inputSchema").put("type", "object").putObject("properties");
        for (String p : params) {
            props.putObject(p).put("type", "string");
        }
        return new CatalogEntry(name, 1, "sha256:" + name, def, NO_BACKEND, name);
    }

    /** A catalogue of upstream-style and isolate tools with overlapping words. */
    static List<CatalogEntry> corpus() {
        return List.of(
                tool(
                        "github__create_issue",
                        "Create issue",
                        "Open a new issue in a GitHub repository.",
                        "owner",
                        "repo",
                        "title",
                        "body"),
                tool(
                        "github__list_issues",
                        "List issues",
                        "List the issues of a GitHub repository, filtered by state.",
                        "owner",
                        "repo",
                        "state"),
                tool(
                        "github__create_pull_request",
                        "Create pull request",
                        "Open a pull request from a branch.",
                        "owner",
                        "repo",
                        "head",
                        "base"),
                tool("github__search_code", "Search code", "Search source code across GitHub repositories.", "query"),
                tool(
                        "gitlab__create_merge_request",
                        "",
                        "Create a merge request in a GitLab project.",
                        "projectId",
                        "sourceBranch"),
                tool("slack__post_message", "Post message", "Send a message to a Slack channel.", "channel", "text"),
                tool("slack__list_channels", "List channels", "List the public channels of the workspace.", "limit"),
                tool("fs__read_file", "Read file", "Read the contents of a file on disk.", "path"),
                tool(
                        "fs__write_file",
                        "Write file",
                        "Create or overwrite a file with new contents.",
                        "path",
                        "content"),
                tool("fs__list_directory", "", "List the entries of a directory.", "path"),
                tool(
                        "weather_forecast",
                        "Weather forecast",
                        "Forecast temperature and rain for a city for the next days.",
                        "city",
                        "days"),
                tool(
                        "currency_convert",
                        "",
                        "Convert an amount between two currencies at today's rate.",
                        "amount",
                        "from",
                        "to"),
                tool("tide_times", "Tide times", "High and low water times for a harbour.", "harbour", "date"),
                tool(
                        "jira__create_ticket",
                        "Create ticket",
                        "Create a Jira ticket (issue) in a project.",
                        "projectKey",
                        "summary"),
                tool("postgres__query", "Run SQL", "Run a read-only SQL query against the database.", "sql"),
                tool("sendEmail", "Send e-mail", "Send an e-mail message to a recipient.", "to", "subject", "body"),
                tool("calendar__create_event", "", "Create an event in the calendar.", "start", "end", "attendees"),
                tool("translate_text", "Translate", "Translate text into another language.", "text", "targetLanguage"));
    }

    static ToolSearch index(List<CatalogEntry> entries) {
        ServedTools catalog = new ServedTools();
        catalog.replace(entries);
        return new ToolSearch(catalog);
    }

    @ParameterizedTest
    @CsvSource({
        "open a new issue on github, github__create_issue",
        "list open github issues, github__list_issues",
        "send a message to a slack channel, slack__post_message",
        "read the contents of a file, fs__read_file",
        "what will the weather be in Paris, weather_forecast",
        "convert dollars to euros currency, currency_convert",
        "when is high water, tide_times",
        "run an SQL query, postgres__query",
        "send email, sendEmail",
        "merge request gitlab, gitlab__create_merge_request",
        "translate into French, translate_text",
        "targetLanguage, translate_text",
    })
    void theRelevantToolRanksFirst(String query, String expected) {
        try (ToolSearch search = index(corpus())) {
            List<ToolSearch.Hit> hits = search.search(query, 5, Optional.empty());
            assertFalse(hits.isEmpty(), query);
            assertEquals(expected, hits.getFirst().entry().name(), query + " -> " + names(hits));
            for (int i = 1; i < hits.size(); i++) {
                assertTrue(hits.get(i - 1).score() >= hits.get(i).score(), "best first: " + hits);
            }
        }
    }

    @Test
    void aScopedCallerNeverSeesAToolOutsideItsScopeEvenTheBestMatch() {
        try (ToolSearch search = index(corpus())) {
            Set<String> scope = Set.of("slack__post_message", "fs__read_file", "github__list_issues");
            List<ToolSearch.Hit> hits = search.search("create a github issue", 20, Optional.of(scope));
            assertTrue(scope.containsAll(names(hits)), names(hits).toString());
            // Ranked within the scope: the one in-scope GitHub tool comes first.
            assertEquals("github__list_issues", hits.getFirst().entry().name());
            // Every query of the ranking test, under the scope: nothing outside it, ever.
            for (String q : List.of("open a new issue on github", "send email", "file", "weather", "create", "issue")) {
                assertTrue(scope.containsAll(names(search.search(q, 20, Optional.of(scope)))), q);
            }
            assertEquals(List.of(), search.search("create a github issue", 20, Optional.of(Set.of())));
            assertEquals(List.of(), search.search("create a github issue", 20, Optional.of(Set.of("no_such_tool"))));
        }
    }

    @Test
    void theIndexFollowsTheCatalogue() {
        ServedTools catalog = new ServedTools();
        List<CatalogEntry> entries = new ArrayList<>(corpus());
        catalog.replace(entries);
        try (ToolSearch search = new ToolSearch(catalog)) {
            assertEquals(entries.size(), search.size());
            assertEquals(
                    "tide_times",
                    search.search("harbour water", 1, Optional.empty())
                            .getFirst()
                            .entry()
                            .name());
            // Removed (disabled, deleted, quarantined again): gone from the results.
            entries.removeIf(e -> e.name().equals("tide_times"));
            catalog.replace(entries);
            assertTrue(names(search.search("harbour water", 5, Optional.empty())).stream()
                    .noneMatch("tide_times"::equals));
            // Added (approved, upstream tools discovered): found.
            entries.add(tool("harbour__berths", "Berths", "Free berths in a harbour marina.", "harbour"));
            catalog.replace(entries);
            assertEquals(
                    "harbour__berths",
                    search.search("marina berth", 1, Optional.empty())
                            .getFirst()
                            .entry()
                            .name());
            // Changed (a new version): re-indexed with its new words; the result is the serving definition.
            entries.replaceAll(e -> e.name().equals("currency_convert")
                    ? tool("currency_convert", "", "Exchange rates for cryptocurrency wallets.", "wallet")
                    : e);
            catalog.replace(entries);
            ToolSearch.Hit hit =
                    search.search("cryptocurrency wallet", 1, Optional.empty()).getFirst();
            assertEquals("currency_convert", hit.entry().name());
            assertEquals(
                    "Exchange rates for cryptocurrency wallets.",
                    hit.entry().definition().path("description").asText());
            assertEquals(entries.size(), search.size());
        }
    }

    @Test
    void identifiersAreSplitIntoWords() {
        assertEquals(
                "github create issue", ToolSearch.words("github__create_issue").replaceAll("\\s+", " "));
        assertEquals(
                "send Email to URL Parser",
                ToolSearch.words("sendEmail.to-URLParser").replaceAll("\\s+", " "));
    }

    private static List<String> names(List<ToolSearch.Hit> hits) {
        return hits.stream().map(h -> h.entry().name()).toList();
    }
}
