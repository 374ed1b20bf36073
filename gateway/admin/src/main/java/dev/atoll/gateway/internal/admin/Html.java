package dev.atoll.gateway.internal.admin;

/**
 * The web UI's HTML: escaping of every untrusted value, and the page frame (navigation, the scripts
 * from {@code /ui/assets}, no inline script or style, so the CSP can say {@code script-src 'self'}).
 */
final class Html {

    private final StringBuilder b = new StringBuilder(4096);

    private Html() {}

    /** The text, escaped for an HTML text node or a quoted attribute value. */
    static String esc(Object value) {
        String s = String.valueOf(value);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** An empty fragment. */
    static Html empty() {
        return new Html();
    }

    /** A page: title, navigation (when signed in), then {@link #raw}/{@link #text} content. */
    static Html page(String title, String active, boolean signedIn, String csrf) {
        Html h = new Html();
        h.raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .raw("<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,\"allowEval\":false}'>")
                .raw("<title>")
                .text(title)
                .raw(" · Atoll</title>")
                .raw("<link rel=\"stylesheet\" href=\"/ui/assets/atoll.css\">")
                .raw("<link rel=\"stylesheet\" href=\"/ui/webjars/uplot/dist/uPlot.min.css\">")
                .raw("<script src=\"/ui/webjars/htmx/dist/htmx.min.js\" defer></script>")
                .raw("<script src=\"/ui/webjars/htmx-ext-sse/sse.js\" defer></script>")
                .raw("<script src=\"/ui/webjars/uplot/dist/uPlot.iife.min.js\" defer></script>")
                .raw("<script src=\"/ui/assets/atoll.js\" defer></script>")
                .raw("</head><body><header><strong>Atoll</strong>");
        if (signedIn) {
            h.raw("<nav>");
            for (String[] item : new String[][] {
                {"overview", "Overview"},
                {"tools", "Tools"},
                {"upstreams", "Upstreams"},
                {"calls", "Calls"},
                {"audit", "Audit"}
            }) {
                h.raw("<a href=\"/ui/")
                        .raw(item[0])
                        .raw("\"")
                        .raw(item[0].equals(active) ? " class=\"active\"" : "")
                        .raw(">")
                        .raw(item[1])
                        .raw("</a>");
            }
            h.raw("</nav><form method=\"post\" action=\"/ui/logout\" class=\"inline\">")
                    .csrf(csrf)
                    .raw("<button type=\"submit\">Sign out</button></form>");
        }
        h.raw("</header><main><h1>").text(title).raw("</h1>");
        return h;
    }

    /** Appends markup as is (constants only). */
    Html raw(String markup) {
        b.append(markup);
        return this;
    }

    /** Appends an untrusted value, escaped. */
    Html text(Object value) {
        b.append(esc(value));
        return this;
    }

    /** The hidden CSRF field of a form. */
    Html csrf(String token) {
        return raw("<input type=\"hidden\" name=\"csrf\" value=\"").text(token).raw("\">");
    }

    /** A table row of cells (untrusted values, escaped). */
    Html row(Object... cells) {
        raw("<tr>");
        for (Object c : cells) {
            raw("<td>").text(c).raw("</td>");
        }
        return raw("</tr>");
    }

    /** Closes the page. */
    String done() {
        return b.append("</main></body></html>").toString();
    }

    /** The markup so far (a fragment). */
    String fragment() {
        return b.toString();
    }
}
