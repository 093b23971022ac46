package dev.functiongateway.observability;

import java.util.function.UnaryOperator;

import ch.qos.logback.core.Context;

/**
 * The console's logback pattern for access lines, with the parts that print the same on every line worked out
 * once, so that an access line's text is exactly what the console's pattern prints, at less cost per line. Spring
 * Boot's default console pattern wraps six parts in {@code %clr(...){colour}} and names the application with
 * {@code %esb(){APPLICATION_NAME}%esb{APPLICATION_GROUP}}; per line, the first builds a string even when colour
 * is off, the second formats one with {@code String.formatted}. Together they were over a third of the
 * console's rendering of an access line (bench/RESULTS.md, session 13). Here {@code %clr(X){colour}} becomes
 * {@code X} when colour is off, and {@code %esb{NAME}} the text it prints: {@code [value] }, or nothing for an
 * empty value (a logging property, fixed when logging starts). Everything else stays as it is.
 */
final class AccessLinePattern {

    private static final String COLOUR = "%clr(";
    private static final String BRACKETS = "%esb";

    private AccessLinePattern() {
    }

    /**
     * The pattern with those parts worked out, or null if it has none or they are not in the forms above (then
     * the console's own encoder is used as it is).
     *
     * @param colour   whether the console prints colour ({@code %clr} then stays)
     * @param property a logging property by name (the logger context's, then the JVM's), or null
     */
    static String resolve(String pattern, boolean colour, UnaryOperator<String> property) {
        String resolved = resolveFrom(pattern, colour, property);
        return resolved == null || resolved.equals(pattern) ? null : resolved;
    }

    private static String resolveFrom(String pattern, boolean colour, UnaryOperator<String> property) {
        StringBuilder out = new StringBuilder(pattern.length());
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                out.append(pattern, i, Math.min(i + 2, pattern.length()));
                i += 2;
            } else if (!colour && pattern.startsWith(COLOUR, i)) {
                int close = closing(pattern, i + COLOUR.length() - 1);
                String inner = close < 0 ? null : resolveFrom(pattern.substring(i + COLOUR.length(), close), false,
                        property);
                int end = close < 0 ? -1 : afterOption(pattern, close + 1);
                if (inner == null || end < 0) {
                    return null;
                }
                out.append(inner);
                i = end;
            } else if (pattern.startsWith(BRACKETS, i)) {
                int at = i + BRACKETS.length();
                if (at < pattern.length() && pattern.charAt(at) == '(') {
                    // %esb(X){NAME} prints X when X prints anything: only an empty X is the same on every line.
                    if (!pattern.startsWith("()", at)) {
                        return null;
                    }
                    at += 2;
                }
                if (at >= pattern.length() || pattern.charAt(at) != '{') {
                    return null;
                }
                int end = pattern.indexOf('}', at);
                String value = end < 0 ? null : property.apply(pattern.substring(at + 1, end));
                if (end < 0 || !literal(value == null || value.isEmpty() ? "" : "[" + value + "] ", out)) {
                    return null;
                }
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * A logging property as {@code %esb} looks it up: the logger context's, else the JVM's system property of that
     * name (Spring Boot sets {@code APPLICATION_NAME} as both).
     */
    static UnaryOperator<String> properties(Context context) {
        return name -> {
            String value = context.getProperty(name);
            return value != null ? value : System.getProperty(name);
        };
    }

    /** The index of the ')' that closes the '(' at {@code open}, or -1. */
    private static int closing(String pattern, int open) {
        int depth = 0;
        for (int i = open; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The index after a composite keyword's option ({@code {faint}}) at {@code at}, if there is one; -1 if open. */
    private static int afterOption(String pattern, int at) {
        if (at >= pattern.length() || pattern.charAt(at) != '{') {
            return at;
        }
        int end = pattern.indexOf('}', at);
        return end < 0 ? -1 : end + 1;
    }

    /** Appends text as pattern literal, escaped; false if it has a brace, which could read as a keyword's option. */
    private static boolean literal(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '}') {
                return false;
            }
            if (c == '\\' || c == '%' || c == '(' || c == ')') {
                out.append('\\');
            }
            out.append(c);
        }
        return true;
    }
}
