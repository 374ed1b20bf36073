package dev.atoll.gateway.internal.mcp;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Matches URIs against an RFC 6570 level-1 template ({@code test://template/{id}/data}): each
 * variable matches one or more characters other than {@code /}, {@code ?} and {@code #} (simple
 * expansion percent-encodes those), and is percent-decoded.
 */
public final class UriTemplate {

    private static final Pattern VAR = Pattern.compile("\\{([A-Za-z0-9_]{1,64})\\}");
    private final Pattern pattern;
    private final List<String> names;

    private UriTemplate(Pattern pattern, List<String> names) {
        this.pattern = pattern;
        this.names = names;
    }

    /**
     * Compiles a template (already checked by the manifest parser).
     *
     * @param template the template
     * @return the matcher
     */
    public static UriTemplate of(String template) {
        StringBuilder regex = new StringBuilder();
        List<String> names = new ArrayList<>();
        Matcher m = VAR.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/?#]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return new UriTemplate(Pattern.compile(regex.toString()), List.copyOf(names));
    }

    /** @return the variable names, in order */
    public List<String> variables() {
        return names;
    }

    /**
     * The variables of a URI that matches.
     *
     * @param uri the URI
     * @return the variables by name, or empty if it does not match
     */
    public Optional<Map<String, String>> match(String uri) {
        Matcher m = pattern.matcher(uri);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            try {
                vars.put(names.get(i), URLDecoder.decode(m.group(i + 1).replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(vars);
    }
}
