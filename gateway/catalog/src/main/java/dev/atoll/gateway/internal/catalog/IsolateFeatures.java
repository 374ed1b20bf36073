package dev.atoll.gateway.internal.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.FeatureSource;
import dev.atoll.gateway.internal.mcp.ServedTools;
import dev.atoll.runtime.Tool;
import java.util.ArrayList;
import java.util.List;

/**
 * The resources, templates and prompts that approved isolate modules declare in their manifests,
 * derived from the live {@link ServedTools}: a quarantined version is not in the catalogue, so neither
 * are its resources and prompts. Recomputed when the catalogue's revision changes.
 */
public final class IsolateFeatures implements FeatureSource {

    /**
     * The handle of an entry that serves a module's resources, prompts and completions.
     *
     * @param tool the loaded module
     */
    public record ModuleFeature(Tool tool) {}

    private record Built(long revision, List<Offer> resources, List<Offer> templates, List<Offer> prompts) {}

    private final ServedTools catalog;
    private volatile Built built = new Built(-1, List.of(), List.of(), List.of());

    /**
     * Creates the source.
     *
     * @param catalog the live catalogue
     */
    public IsolateFeatures(ServedTools catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<Offer> resources() {
        return current().resources();
    }

    @Override
    public List<Offer> resourceTemplates() {
        return current().templates();
    }

    @Override
    public List<Offer> prompts() {
        return current().prompts();
    }

    private Built current() {
        ServedTools.Snapshot snap = catalog.snapshot();
        Built b = built;
        if (b.revision() == snap.revision()) {
            return b;
        }
        List<Offer> resources = new ArrayList<>();
        List<Offer> templates = new ArrayList<>();
        List<Offer> prompts = new ArrayList<>();
        for (CatalogEntry e : snap.entries()) {
            if (!(e.handle() instanceof Tool t) || t.manifest().features().isEmpty()) {
                continue;
            }
            CatalogEntry served = new CatalogEntry(
                    e.name(), e.version(), e.digest(), e.definition(), e.backend(), new ModuleFeature(t));
            var f = t.manifest().features();
            add(resources, f.resources(), e.name(), served);
            add(templates, f.resourceTemplates(), e.name(), served);
            add(prompts, f.prompts(), e.name(), served);
        }
        b = new Built(snap.revision(), List.copyOf(resources), List.copyOf(templates), List.copyOf(prompts));
        built = b;
        return b;
    }

    private static void add(List<Offer> out, List<ObjectNode> defs, String owner, CatalogEntry served) {
        for (ObjectNode d : defs) {
            out.add(new Offer(d, owner, served));
        }
    }
}
