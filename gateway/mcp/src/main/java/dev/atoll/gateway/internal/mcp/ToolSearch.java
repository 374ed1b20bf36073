package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.backend.CatalogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

/**
 * BM25 search over the catalogue for the {@code retrieve_tools} tool: an in-memory Lucene index of
 * every serving tool's name, title, description and parameter names (identifiers split into words:
 * {@code github__create_issue} and {@code createIssue} are "create issue"; English stemming), kept in
 * step with the {@link ServedTools} (each change re-indexes only the entries that changed). A search is
 * filtered by the caller's tool set inside the query, so the top {@code k} are the best tools the
 * caller may call, and a tool outside it is never returned.
 */
public final class ToolSearch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ToolSearch.class.getName());

    private static final String NAME = "name";
    private static final String NAME_WORDS = "nameWords";
    private static final String TITLE = "title";
    private static final String DESCRIPTION = "description";
    private static final String PARAMS = "params";
    /** Field weights: a word in the name says more than a word in the description. */
    private static final Map<String, Float> BOOSTS = Map.of(NAME_WORDS, 3f, TITLE, 2f, PARAMS, 1.5f, DESCRIPTION, 1f);

    private static final Pattern SEPARATORS = Pattern.compile("[_\\-.:/]+");
    private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
    /** Parameter names are collected this deep into nested object schemas, and at most this many. */
    private static final int MAX_SCHEMA_DEPTH = 3;

    private static final int MAX_PARAMS = 256;

    /** A tool that matched, with its BM25 score. */
    public record Hit(CatalogEntry entry, float score) {
        /** Rejects nulls. */
        public Hit {
            Objects.requireNonNull(entry, "entry");
        }
    }

    private final ServedTools catalog;
    private final Analyzer analyzer = new EnglishAnalyzer();
    private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}: what the index holds, by name. */
    private final Map<String, CatalogEntry> indexed = new HashMap<>();

    private volatile long indexedRevision = -1;

    /**
     * Indexes the catalogue and follows its changes.
     *
     * @param catalog the live catalogue
     */
    public ToolSearch(ServedTools catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        try {
            IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity());
            this.writer = new IndexWriter(directory, config);
            this.searchers = new SearcherManager(writer, new SearcherFactory() {
                @Override
                public IndexSearcher newSearcher(
                        org.apache.lucene.index.IndexReader reader, org.apache.lucene.index.IndexReader previous) {
                    IndexSearcher s = new IndexSearcher(reader);
                    s.setSimilarity(new BM25Similarity());
                    return s;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the tool-search index", e);
        }
        sync();
        catalog.onChange(revision -> {
            try {
                sync();
            } catch (RuntimeException e) {
                // The next search syncs again; a failed index update must not fail a deploy.
                LOG.log(Level.WARNING, "cannot update the tool-search index", e);
            }
        });
    }

    /**
     * The best matches for a query among the tools a caller may call.
     *
     * @param query free text (tool names, words of titles, descriptions, parameter names)
     * @param limit at most this many results (1 or more)
     * @param allowed the caller's tool names, or empty for all tools ({@code "*"})
     * @return the hits, best first; empty if no word of the query occurs in any allowed tool
     */
    public List<Hit> search(String query, int limit, Optional<Set<String>> allowed) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(allowed, "allowed");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        if (indexedRevision != catalog.snapshot().revision()) {
            sync();
        }
        Optional<Query> q = query(query, allowed);
        if (q.isEmpty()) {
            return List.of();
        }
        ServedTools.Snapshot snapshot = catalog.snapshot();
        Predicate<String> may = name -> allowed.map(a -> a.contains(name)).orElse(true);
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                StoredFields stored = searcher.storedFields();
                List<Hit> hits = new ArrayList<>(limit);
                for (ScoreDoc d : searcher.search(q.get(), limit).scoreDocs) {
                    String name = stored.document(d.doc).get(NAME);
                    // The filter is in the query; checked again against the current catalogue (a tool
                    // removed since the index was refreshed is not returned).
                    if (may.test(name)) {
                        snapshot.find(name).ifPresent(e -> hits.add(new Hit(e, d.score)));
                    }
                }
                return hits;
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("tool search failed", e);
        }
    }

    /** @return the number of indexed tools */
    public int size() {
        synchronized (lock) {
            return indexed.size();
        }
    }

    /** Brings the index in step with the catalogue: re-indexes changed entries, drops removed ones. */
    @SuppressWarnings("ReferenceEquality") // old != e: the same entry object is a fast path, the fields follow
    void sync() {
        synchronized (lock) {
            ServedTools.Snapshot snapshot = catalog.snapshot();
            if (snapshot.revision() == indexedRevision) {
                return;
            }
            try {
                Map<String, CatalogEntry> next = new HashMap<>();
                for (CatalogEntry e : snapshot.entries()) {
                    next.put(e.name(), e);
                    CatalogEntry old = indexed.get(e.name());
                    if (old != e
                            && (old == null
                                    || old.version() != e.version()
                                    || !old.digest().equals(e.digest())
                                    || !old.definition().equals(e.definition()))) {
                        writer.updateDocument(new Term(NAME, e.name()), document(e));
                    }
                }
                for (String name : indexed.keySet()) {
                    if (!next.containsKey(name)) {
                        writer.deleteDocuments(new Term(NAME, name));
                    }
                }
                searchers.maybeRefreshBlocking();
                indexed.clear();
                indexed.putAll(next);
                indexedRevision = snapshot.revision();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot update the tool-search index", e);
            }
        }
    }

    private Optional<Query> query(String text, Optional<Set<String>> allowed) {
        String words = words(text);
        QueryBuilder builder = new QueryBuilder(analyzer);
        BooleanQuery.Builder fields = new BooleanQuery.Builder();
        boolean any = false;
        for (Map.Entry<String, Float> f : BOOSTS.entrySet()) {
            Query q = builder.createBooleanQuery(f.getKey(), words);
            if (q != null) {
                fields.add(new BoostQuery(q, f.getValue()), BooleanClause.Occur.SHOULD);
                any = true;
            }
        }
        if (!any) {
            return Optional.empty();
        }
        BooleanQuery.Builder all = new BooleanQuery.Builder().add(fields.build(), BooleanClause.Occur.MUST);
        if (allowed.isPresent()) {
            List<BytesRef> names = allowed.get().stream().map(BytesRef::new).toList();
            all.add(new TermInSetQuery(NAME, names), BooleanClause.Occur.FILTER);
        }
        return Optional.of(all.build());
    }

    private static Document document(CatalogEntry e) {
        JsonNode def = e.definition();
        Document d = new Document();
        d.add(new StringField(NAME, e.name(), Field.Store.YES));
        d.add(new TextField(NAME_WORDS, words(e.name()), Field.Store.NO));
        String title =
                def.path("title").asText(def.path("annotations").path("title").asText(""));
        d.add(new TextField(TITLE, words(title), Field.Store.NO));
        d.add(new TextField(DESCRIPTION, def.path("description").asText(""), Field.Store.NO));
        List<String> params = new ArrayList<>();
        collectParams(def.path("inputSchema"), 0, params);
        d.add(new TextField(PARAMS, words(String.join(" ", params)), Field.Store.NO));
        return d;
    }

    private static void collectParams(JsonNode schema, int depth, Collection<String> out) {
        JsonNode props = schema.path("properties");
        if (depth >= MAX_SCHEMA_DEPTH || !props.isObject()) {
            return;
        }
        for (var it = props.properties().iterator(); it.hasNext() && out.size() < MAX_PARAMS; ) {
            var p = it.next();
            out.add(p.getKey());
            collectParams(p.getValue(), depth + 1, out);
            collectParams(p.getValue().path("items"), depth + 1, out);
        }
    }

    /** Splits identifiers into words: {@code github__createIssue} becomes {@code github create Issue}. */
    static String words(String text) {
        return CAMEL.matcher(SEPARATORS.matcher(text).replaceAll(" ")).replaceAll(" ");
    }

    @Override
    public void close() {
        try {
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
