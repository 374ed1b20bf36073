package dev.atoll.gateway.dlp.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.atoll.gateway.dlp.Encoding;
import dev.atoll.gateway.dlp.Limit;
import dev.atoll.gateway.dlp.Part;
import dev.atoll.gateway.dlp.ScanLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One scan of one payload (not thread-safe; the engine makes one per call). For each string it
 * visits: normalise if needed; one pass over the text that runs the keyword automaton and notes digit
 * runs and encoded-looking runs; each triggered rule's regex over windows around its triggers only;
 * validators; then the decoded layers (base64, hex, percent, escapes), recursively, within the limits.
 */
public final class Scanner {

    private static final int MIN_RUN = 16;
    private static final int MIN_HEX_RUN = 32;
    private static final int MAX_KEY_VALUE = 4096;
    private static final int MAX_EXTENSIONS = 3;
    /** How far a window's end may move to the end of the token it cuts. */
    private static final int MAX_SNAP = 16_384;
    /** Member names remembered per scan (see {@link #knownKeys}), and the longest one remembered. */
    private static final int MAX_KNOWN_KEYS = 512;

    private static final int MAX_KNOWN_KEY_LENGTH = 128;
    /** A remembered member name that selects no key rule. */
    private static final KeyHits NO_KEY_HITS = new KeyHits(new int[0]);

    // Character classes of ASCII characters, for the single pass.
    private static final int DIGIT = 1;
    private static final int UPPER = 2;
    private static final int LOWER = 4;
    private static final int STD = 8;
    private static final int URL = 16;
    private static final int NONHEX = 32;
    private static final int DSEP = 64;
    private static final int CTRL = 128;
    private static final int SPECIAL = 256;
    /** Characters the single pass must look at beyond the keyword automaton. */
    private static final int SLOW = 512;

    private static final int RUN = DIGIT | UPPER | LOWER | STD | URL;
    private static final int[] CLS = new int[128];
    private static final int RUN_SEPARATED = 1;
    private static final int RUN_AFTER_LETTER = 2;
    private static final int RUN_DECIMAL = 4;

    static {
        for (int c = 0; c < 128; c++) {
            int f = 0;
            if (c >= '0' && c <= '9') {
                f |= DIGIT;
            }
            if (c >= 'A' && c <= 'Z') {
                f |= UPPER | (c > 'F' ? NONHEX : 0);
            }
            if (c >= 'a' && c <= 'z') {
                f |= LOWER | (c > 'f' ? NONHEX : 0);
            }
            if (c == '+' || c == '/') {
                f |= STD;
            }
            if (c == '-' || c == '_') {
                f |= URL;
            }
            if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/') {
                f |= DSEP;
            }
            if (TextNormalizer.removed(c)) {
                f |= CTRL;
            }
            if (c == '%' || c == '\\') {
                f |= SPECIAL;
            }
            if ((f & (DIGIT | CTRL | SPECIAL)) != 0 || (f & RUN) == 0) {
                f |= SLOW;
            }
            CLS[c] = f;
        }
    }

    /**
     * The single pass's table, built once per pack.
     *
     * @param ac the pack's keyword automaton
     * @return per ASCII character: class flags (low 16 bits) and the automaton's character class (high 16)
     */
    static int[] passTable(KeywordAutomaton ac) {
        int[] table = new int[128];
        for (int c = 0; c < 128; c++) {
            table[c] = CLS[c] | (ac.charClass()[c] << 16);
        }
        return table;
    }

    private final CompiledPack pack;
    private final ScanLimits limits;
    private final ValueHasher hasher;
    private final Layer[] layers;
    private final List<RawMatch> matches = new ArrayList<>();
    private final List<RawMatch> pending = new ArrayList<>();
    /** The first limit reached, or null. */
    private @Nullable Limit incomplete;

    private long scanned;
    private long decoded;
    /**
     * Member names already scanned in this payload that matched nothing, with the key rules they
     * triggered ({@link #NO_KEY_HITS} for none). The same names repeat in every element of an array of
     * records; a name's scan depends on nothing but the name, so it is scanned once per payload.
     */
    private final Map<String, KeyHits> knownKeys = new HashMap<>();

    // The location being scanned.
    private final List<Object> path = new ArrayList<>();
    private final List<Object> display = new ArrayList<>();
    private Part part = Part.TEXT;
    /** The current location's JSON pointer and path, once a match there needed them (null until then). */
    private @Nullable String pointer;

    private @Nullable List<Object> matchPath;

    /**
     * @param pack the compiled rules
     * @param limits the scan limits
     * @param hashKey the HMAC key for value hashes
     */
    public Scanner(CompiledPack pack, ScanLimits limits, byte[] hashKey) {
        this.pack = pack;
        this.limits = limits;
        this.hasher = new ValueHasher(hashKey);
        this.layers = new Layer[limits.maxDecodeDepth() + 1];
    }

    /** @return every match, in document order */
    public List<RawMatch> matches() {
        return matches;
    }

    /** @return the first limit reached, if any */
    public Optional<Limit> incomplete() {
        return Optional.ofNullable(incomplete);
    }

    /**
     * Scans a JSON value: member names, string values and integral numbers of 9 or more digits.
     *
     * @param root the payload
     */
    public void scanJson(JsonNode root) {
        walk(root, 0);
    }

    /**
     * Scans plain text.
     *
     * @param text the text
     */
    public void scanText(String text) {
        part = Part.TEXT;
        scanLocation(text, null);
    }

    private void walk(JsonNode n, int depth) {
        JsonNodeType type = n.getNodeType();
        if (type == JsonNodeType.STRING) {
            part = Part.VALUE;
            scanLocation(n.textValue(), null);
        } else if (type == JsonNodeType.NUMBER && n.isIntegralNumber()) {
            // Only numbers long enough to be a card or account number (9+ digits) are scanned.
            if (n.isBigInteger() || Math.abs(n.longValue()) >= 100_000_000L) {
                part = Part.VALUE;
                scanLocation(n.asText(), null);
            }
        } else if (type == JsonNodeType.ARRAY || type == JsonNodeType.OBJECT) {
            if (depth >= limits.maxJsonDepth()) {
                limit(Limit.JSON_DEPTH);
                return;
            }
            if (n.isArray()) {
                for (int i = 0; i < n.size(); i++) {
                    path.add(i);
                    display.add(i);
                    walk(n.get(i), depth + 1);
                    path.removeLast();
                    display.removeLast();
                }
            } else {
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    String key = e.getKey();
                    int before = matches.size();
                    path.add(key);
                    part = Part.KEY;
                    KeyHits keyHits = scanLocation(key, null);
                    Object shown = key;
                    if (matches.size() > before) {
                        shown = "[REDACTED:"
                                + pack.rule(matches.get(before).ruleIndex()).id() + "]";
                    }
                    display.add(shown);
                    JsonNode child = e.getValue();
                    if (keyHits != null && child.isTextual()) {
                        part = Part.VALUE;
                        scanLocation(child.textValue(), keyHits);
                    } else {
                        walk(child, depth + 1);
                    }
                    path.removeLast();
                    display.removeLast();
                }
            }
        }
    }

    /** Member-name rules selected by a key: those whose keywords occur in it and whose keyPattern matches it. */
    private record KeyHits(int[] rules) {}

    /**
     * Scans one string at the current location.
     *
     * @return for a member name, the key rules its keywords triggered (or null)
     */
    @SuppressWarnings("ReferenceEquality") // NO_KEY_HITS is a sentinel: identity is the point
    private @Nullable KeyHits scanLocation(String s, @Nullable KeyHits keyHits) {
        if (incomplete == Limit.SCAN_SIZE) {
            return null;
        }
        scanned += s.length();
        if (scanned > limits.maxScanChars()) {
            limit(Limit.SCAN_SIZE);
            return null;
        }
        boolean key = part == Part.KEY;
        if (key) {
            KeyHits known = knownKeys.get(s);
            if (known != null) {
                return known == NO_KEY_HITS ? null : known;
            }
        }
        pointer = null;
        matchPath = null;
        pending.clear();
        int matchesBefore = matches.size();
        long decodedBefore = decoded;
        Limit limitBefore = incomplete;
        KeyHits out = scanLayer(s, 0, List.of(), 0, s.length(), keyHits);
        if (!pending.isEmpty()) {
            settle();
        }
        // Remember a name only if scanning it again could not add anything: no match, no decoding
        // (which spends the decode budget), no limit reached.
        if (key
                && matches.size() == matchesBefore
                && decoded == decodedBefore
                && incomplete == limitBefore
                && s.length() <= MAX_KNOWN_KEY_LENGTH
                && knownKeys.size() < MAX_KNOWN_KEYS) {
            knownKeys.put(s, out == null ? NO_KEY_HITS : out);
        }
        return out;
    }

    /** Drops generic matches overlapping specific ones and duplicates of one value, then records. */
    private void settle() {
        pending.sort(java.util.Comparator.comparingInt(RawMatch::start)); // document order within the string
        Set<String> seen = new HashSet<>();
        for (RawMatch m : pending) {
            if (m.generic()) {
                boolean covered = false;
                for (RawMatch x : pending) {
                    if (!x.generic() && x.start() < m.end() && m.start() < x.end()) {
                        covered = true;
                        break;
                    }
                }
                if (covered) {
                    continue;
                }
            }
            if (seen.add(m.ruleIndex() + ":" + m.hash())) {
                matches.add(m);
            }
        }
        pending.clear();
    }

    private @Nullable KeyHits scanLayer(
            String text, int depth, List<Encoding> encodings, int topStart, int topEnd, @Nullable KeyHits keyHits) {
        Layer layer = layers[depth];
        if (layer == null) {
            layer = layers[depth] = new Layer(pack);
        }
        TextNormalizer.Normalized norm = null;
        String t = text;
        if (layer.pass(text, false)) {
            norm = TextNormalizer.normalize(text);
            t = norm.text();
            layer.pass(t, true);
        }
        boolean decode = limits.maxDecodeDepth() > 0 && (layer.candCount > 0 || layer.percent || layer.escape);
        boolean keyRules = depth == 0 && part == Part.KEY && layer.keyHitCount > 0;
        boolean invisible = norm != null && norm.hidden() && pack.invisibleRules.length > 0;
        if (layer.touchedCount == 0
                && pack.alwaysRules.length == 0
                && keyHits == null
                && !decode
                && !keyRules
                && !invisible) {
            return null; // the common case: nothing triggered, nothing to decode
        }
        if (invisible) {
            // Invisible characters are gone from the normalised text: these rules read the original.
            Span raw = new Span(depth, new TextNormalizer.Normalized(text), encodings, topStart, topEnd);
            for (int r : pack.invisibleRules) {
                runWindow(pack.rules[r], text, 0, text.length(), raw);
            }
        }
        if (norm == null) {
            norm = new TextNormalizer.Normalized(text);
        }
        Span span = new Span(depth, norm, encodings, topStart, topEnd);
        for (int k = 0; k < layer.touchedCount; k++) {
            int r = layer.touched[k];
            CompiledRule rule = pack.rules[r];
            if (rule.pattern == null) {
                continue;
            }
            int[] ws = layer.winStart[r];
            int[] we = layer.winEnd[r];
            for (int w = 0; w < layer.winCount[r]; w++) {
                runWindow(rule, t, ws[w], we[w], span);
            }
        }
        for (int r : pack.alwaysRules) {
            runWindow(pack.rules[r], t, 0, t.length(), span);
        }
        if (keyHits != null && depth == 0) {
            checkKeyRules(keyHits, t, span);
        }
        KeyHits out = keyRules ? selectKeyRules(t, layer.keyRules()) : null;
        if (decode) {
            decodeLayers(layer, t, depth, encodings, span);
        }
        return out;
    }

    private void decodeLayers(Layer layer, String t, int depth, List<Encoding> encodings, Span span) {
        boolean last = depth >= limits.maxDecodeDepth();
        // Copy: the recursion reuses deeper layers only, but keep this layer's lists stable anyway.
        int[] cand = Arrays.copyOf(layer.cand, layer.candCount * 3);
        boolean pct = layer.percent;
        boolean esc = layer.escape;
        for (int c = 0; c < cand.length; c += 3) {
            int s = cand[c];
            int e = cand[c + 1];
            Encoding enc = switch (cand[c + 2]) {
                case 1 -> Encoding.BASE64;
                case 2 -> Encoding.BASE64URL;
                default -> Encoding.HEX;
            };
            Optional<String> d =
                    enc == Encoding.HEX ? Decoders.hex(t, s, e) : Decoders.base64(t, s, e, enc == Encoding.BASE64URL);
            if (!descend(d, depth, last, encodings, enc, span.topStartOf(s), span.topEndOf(e))) {
                return;
            }
        }
        if (pct
                && !descend(
                        Decoders.percent(t),
                        depth,
                        last,
                        encodings,
                        Encoding.PERCENT,
                        span.topStartOf(0),
                        span.topEndOf(t.length()))) {
            return;
        }
        if (esc) {
            descend(
                    Decoders.unescape(t),
                    depth,
                    last,
                    encodings,
                    Encoding.ESCAPE,
                    span.topStartOf(0),
                    span.topEndOf(t.length()));
        }
    }

    /** @return false when the decode budget is spent (stop decoding this string) */
    private boolean descend(
            Optional<String> d,
            int depth,
            boolean last,
            List<Encoding> encodings,
            Encoding enc,
            int topStart,
            int topEnd) {
        if (d.isEmpty()) {
            return true;
        }
        if (last) {
            limit(Limit.DECODE_DEPTH);
            return true;
        }
        String text = d.get();
        decoded += text.length();
        if (decoded > limits.maxDecodedChars()) {
            limit(Limit.DECODE_BUDGET);
            return false;
        }
        List<Encoding> next = new ArrayList<>(encodings.size() + 1);
        next.addAll(encodings);
        next.add(enc);
        scanLayer(text, depth + 1, List.copyOf(next), topStart, topEnd, null);
        return true;
    }

    /** @return the key rules among {@code triggered} whose keyPattern matches the (normalised) key, or null if none */
    private @Nullable KeyHits selectKeyRules(String key, int[] triggered) {
        int n = 0;
        for (int r : triggered) {
            // Layer collects only rules that have a keyPattern as key hits.
            if (Objects.requireNonNull(pack.rules[r].keyPattern, "keyPattern")
                    .matcher(key)
                    .find()) {
                triggered[n++] = r;
            }
        }
        return n == 0 ? null : new KeyHits(Arrays.copyOf(triggered, n));
    }

    private void checkKeyRules(KeyHits keyHits, String value, Span span) {
        if (value.length() > MAX_KEY_VALUE || value.isEmpty()) {
            return;
        }
        for (int r : keyHits.rules()) {
            CompiledRule rule = pack.rules[r];
            int s = 0;
            int e = value.length();
            if (rule.valuePattern != null) {
                Matcher m = rule.valuePattern.matcher(value);
                if (!m.find() || m.start(rule.rule.group()) < 0) {
                    continue;
                }
                s = m.start(rule.rule.group());
                e = m.end(rule.rule.group());
            }
            String v = value.substring(s, e);
            if (!v.isEmpty() && rule.valid(v)) {
                emit(rule, s, e, v, span);
            }
        }
    }

    private static boolean tokenBreak(char c) {
        return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
    }

    private static boolean containsAny(String t, String[] needles, int from, int to) {
        for (String n : needles) {
            if (t.indexOf(n, from, to) >= 0) { // an intrinsic; a charAt loop here cost 6 % of a clean scan
                return true;
            }
        }
        return false;
    }

    private void runWindow(CompiledRule rule, String t, int ws, int we, Span span) {
        int s = ws;
        int n = t.length();
        // Do not cut a token in two: extend the window to the end of the token it ends in (bounded).
        int e = we;
        int snapLimit = Math.min(n, we + MAX_SNAP);
        while (e < snapLimit && !tokenBreak(t.charAt(e))) {
            e++;
        }
        List<int[]> found = new ArrayList<>(2);
        // Only rules with a text pattern get here: touched ones are checked for one, and a rule without
        // keywords (always, invisible) cannot be keyPattern-only (Rule's checks).
        Pattern pattern = Objects.requireNonNull(rule.pattern, "pattern");
        for (int attempt = 0; ; attempt++) {
            found.clear();
            boolean extend = false;
            String sub = s == 0 && e == n ? t : t.substring(s, e);
            Matcher m = pattern.matcher(sub);
            int g = rule.rule.group();
            while (m.find()) {
                boolean atRight = m.end() == sub.length() && e < n;
                boolean atLeft = m.start() == 0 && s > 0 && rule.rule.before() > 0;
                if ((atRight || atLeft) && attempt < MAX_EXTENSIONS) {
                    int grow = Math.max(256, Math.max(rule.rule.before(), rule.rule.after()));
                    if (atRight) {
                        e = Math.min(n, e + grow);
                    }
                    if (atLeft) {
                        s = Math.max(0, s - grow);
                    }
                    extend = true;
                    break;
                }
                if (m.start(g) < 0 || m.end(g) == m.start(g)) {
                    continue;
                }
                found.add(new int[] {s + m.start(g), s + m.end(g)});
            }
            if (!extend) {
                break;
            }
        }
        for (int[] f : found) {
            String v = t.substring(f[0], f[1]);
            if (rule.valid(v)) {
                emit(rule, f[0], f[1], v, span);
            }
        }
    }

    private void emit(CompiledRule rule, int s, int e, String value, Span span) {
        if (pointer == null) {
            JsonPointer p = JsonPointer.empty();
            for (Object seg : display) {
                p = seg instanceof Integer i ? p.appendIndex(i) : p.appendProperty((String) seg);
            }
            pointer = p.toString();
            matchPath = List.copyOf(path);
        }
        int start = span.depth == 0 ? span.norm.originalStart(s) : span.topStart;
        int end = span.depth == 0 ? span.norm.originalEnd(e) : span.topEnd;
        pending.add(new RawMatch(
                rule.index,
                Objects.requireNonNull(matchPath, "matchPath"), // set with pointer above
                pointer,
                part,
                start,
                end,
                span.encodings,
                hasher.hash(value),
                rule.rule.generic()));
    }

    private void limit(Limit l) {
        if (incomplete == null) {
            incomplete = l;
        }
    }

    /** Where spans of one layer go in the original string. */
    private record Span(int depth, TextNormalizer.Normalized norm, List<Encoding> encodings, int topStart, int topEnd) {
        int topStartOf(int s) {
            return depth == 0 ? norm.originalStart(s) : topStart;
        }

        int topEndOf(int e) {
            if (depth != 0) {
                return topEnd;
            }
            return e == 0 ? norm.originalStart(0) : norm.originalEnd(e);
        }
    }

    /** Scratch of one decoding depth: triggered windows per rule, digit runs, encoded runs. */
    private static final class Layer {
        final CompiledPack pack;
        final KeywordAutomaton ac;
        final int[][] winStart;
        final int[][] winEnd;
        final int[] winCount;
        final int[] touched;
        int touchedCount;
        final boolean[] keyHit;
        final int[] keyHits;
        int keyHitCount;
        int[] digitRuns = new int[24];
        int digitCount;
        int[] cand = new int[24];
        int candCount;
        boolean percent;
        boolean escape;
        int length;

        /** See {@link Scanner#passTable}. */
        final int[] table;

        Layer(CompiledPack pack) {
            this.pack = pack;
            this.ac = pack.automaton;
            this.table = pack.passTable;
            int n = pack.rules.length;
            winStart = new int[n][];
            winEnd = new int[n][];
            winCount = new int[n];
            touched = new int[n];
            keyHit = new boolean[n];
            keyHits = new int[n];
        }

        private void reset(int len) {
            for (int k = 0; k < touchedCount; k++) {
                winCount[touched[k]] = 0;
            }
            touchedCount = 0;
            for (int k = 0; k < keyHitCount; k++) {
                keyHit[keyHits[k]] = false;
            }
            keyHitCount = 0;
            digitCount = 0;
            candCount = 0;
            percent = false;
            escape = false;
            length = len;
        }

        /**
         * The single pass over a text.
         *
         * @param normalized whether the text is already normalised
         * @return true if the text needs normalising first (nothing recorded then)
         */
        boolean pass(String t, boolean normalized) {
            reset(t.length());
            final int[] delta = ac.fastDelta();
            final int[] table = this.table;
            final int[][] outs = ac.outputs();
            final int classes = ac.classes();
            final int minDigits = pack.minDigits;
            final int n = t.length();
            // Iterate over bytes: one copy (an intrinsic for ASCII strings) beats charAt's checks.
            byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
            if (bytes.length != n) {
                if (!normalized) {
                    return true;
                }
                bytes = new byte[n];
                for (int i = 0; i < n; i++) {
                    char c = t.charAt(i);
                    bytes[i] = c < 128 ? (byte) c : (byte) 0x80;
                }
            }
            int row = 0;
            int runStart = 0; // index after the last character that breaks an encoded-looking run
            int dStart = -1;
            int dEnd = 0;
            int dCount = 0;
            int dSeps = 0;
            for (int i = 0; i < n; i++) {
                int c = bytes[i];
                if (c < 0) {
                    if (!normalized) {
                        return true;
                    }
                    row = 0;
                    if (i - runStart >= MIN_RUN) {
                        closeRun(bytes, runStart, i);
                    }
                    runStart = i + 1;
                    continue;
                }
                int e = table[c];
                int next = delta[row + (e >>> 16)];
                if (next < 0) {
                    next = ~next;
                    hit(t, outs[next / classes], i);
                }
                row = next;
                if ((e & SLOW) == 0) {
                    continue; // a letter or + / - _: nothing else to track
                }
                if ((e & DIGIT) != 0) {
                    int gap = i - dEnd;
                    if (dStart >= 0
                            && (gap == 0
                                    || (gap <= 2
                                            && separator(table, bytes[dEnd])
                                            && (gap == 1 || separator(table, bytes[dEnd + 1]))))) {
                        if (gap > 0) {
                            dSeps++;
                        }
                        dCount++;
                    } else {
                        if (dStart >= 0) {
                            closeDigits(t, dStart, dEnd, dCount, dSeps, minDigits);
                        }
                        dStart = i;
                        dCount = 1;
                        dSeps = 0;
                    }
                    dEnd = i + 1;
                    continue;
                }
                if ((e & CTRL) != 0 && !normalized) {
                    return true;
                }
                if (c == '%') {
                    percent = true;
                } else if (c == '\\') {
                    escape = true;
                }
                if ((e & RUN) == 0) {
                    if (i - runStart >= MIN_RUN) {
                        closeRun(bytes, runStart, i);
                    }
                    runStart = i + 1;
                }
            }
            if (n - runStart >= MIN_RUN) {
                closeRun(bytes, runStart, n);
            }
            if (dStart >= 0) {
                closeDigits(t, dStart, dEnd, dCount, dSeps, minDigits);
            }
            for (int k = 0; k < digitCount; k += 4) {
                for (int r : pack.digitRules) {
                    CompiledRule rule = pack.rules[r];
                    int shape = digitRuns[k + 3];
                    boolean fits = switch (rule.rule.digitShape()) {
                        case ANY -> true;
                        case SEPARATED -> (shape & RUN_SEPARATED) != 0;
                        case NOT_DECIMAL -> (shape & RUN_DECIMAL) == 0;
                        case AFTER_LETTER -> (shape & RUN_AFTER_LETTER) != 0;
                    };
                    if (fits && digitRuns[k + 2] >= rule.rule.digits()) {
                        addWindow(r, digitRuns[k] - rule.rule.before(), digitRuns[k + 1] + rule.rule.after());
                    }
                }
            }
            return false;
        }

        private void hit(String t, int[] keywords, int end) {
            for (int kw : keywords) {
                int start = end + 1 - ac.length(kw);
                for (int r : pack.keywordRules[kw]) {
                    CompiledRule rule = pack.rules[r];
                    if (rule.keyPattern != null && !keyHit[r]) {
                        keyHit[r] = true;
                        keyHits[keyHitCount++] = r;
                    }
                    if (rule.pattern == null) {
                        continue;
                    }
                    if (rule.requires.length > 0
                            && !containsAny(
                                    t,
                                    rule.requires,
                                    start,
                                    Math.min(t.length(), start + rule.rule.requiresWithin()))) {
                        continue;
                    }
                    addWindow(r, start - rule.rule.before(), Math.max(end + 1, start + rule.rule.after()));
                }
            }
        }

        private void closeDigits(String t, int s, int e, int count, int seps, int minDigits) {
            if (count < minDigits) {
                return;
            }
            int shape = 0;
            if (seps >= 2 || (s > 0 && t.charAt(s - 1) == '+') || (s > 1 && t.charAt(s - 2) == '+')) {
                shape |= RUN_SEPARATED;
            }
            if (seps == 1) {
                shape |= RUN_DECIMAL;
            }
            if ((s > 0 && upper(t.charAt(s - 1))) || (s > 1 && upper(t.charAt(s - 2)))) {
                shape |= RUN_AFTER_LETTER;
            }
            if (digitCount + 4 > digitRuns.length) {
                digitRuns = Arrays.copyOf(digitRuns, digitRuns.length * 2);
            }
            digitRuns[digitCount++] = s;
            digitRuns[digitCount++] = e;
            digitRuns[digitCount++] = count;
            digitRuns[digitCount++] = shape;
        }

        private static boolean upper(char c) {
            return c >= 'A' && c <= 'Z';
        }

        private static boolean separator(int[] table, byte b) {
            return b >= 0 && (table[b] & DSEP) != 0;
        }

        /** A run of base64/hex alphabet characters of at least MIN_RUN: note it if it looks encoded. */
        private void closeRun(byte[] bytes, int s, int e) {
            int flags = 0;
            for (int i = s; i < e; i++) {
                flags |= CLS[bytes[i]];
            }
            int pad = 0;
            while (e < bytes.length && bytes[e] == '=' && pad < 2) {
                e++;
                pad++;
            }
            int len = e - s;
            int kind;
            if ((flags & (NONHEX | STD | URL)) == 0
                    && len >= MIN_HEX_RUN
                    && (flags & (UPPER | LOWER)) != (UPPER | LOWER)) {
                kind = 3;
            } else if ((flags & UPPER) != 0 && (flags & LOWER) != 0) {
                boolean std = (flags & STD) != 0;
                boolean url = (flags & URL) != 0;
                if (std && url) {
                    return;
                }
                kind = url ? 2 : 1;
            } else {
                return;
            }
            if ((candCount + 1) * 3 > cand.length) {
                cand = Arrays.copyOf(cand, cand.length * 2);
            }
            cand[candCount * 3] = s;
            cand[candCount * 3 + 1] = e;
            cand[candCount * 3 + 2] = kind;
            candCount++;
        }

        private void addWindow(int r, int s, int e) {
            s = Math.max(0, s);
            e = Math.min(length, e);
            int c = winCount[r];
            if (c == 0) {
                touched[touchedCount++] = r;
                if (winStart[r] == null) {
                    winStart[r] = new int[4];
                    winEnd[r] = new int[4];
                }
            } else if (s <= winEnd[r][c - 1]) {
                winEnd[r][c - 1] = Math.max(winEnd[r][c - 1], e);
                winStart[r][c - 1] = Math.min(winStart[r][c - 1], s);
                return;
            }
            if (c == winStart[r].length) {
                winStart[r] = Arrays.copyOf(winStart[r], c * 2);
                winEnd[r] = Arrays.copyOf(winEnd[r], c * 2);
            }
            winStart[r][c] = s;
            winEnd[r][c] = e;
            winCount[r] = c + 1;
        }

        /** @return a new array of the rules with a keyPattern whose keywords occurred */
        int[] keyRules() {
            return Arrays.copyOf(keyHits, keyHitCount);
        }
    }
}
