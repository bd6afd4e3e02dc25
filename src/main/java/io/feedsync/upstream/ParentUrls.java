package io.feedsync.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child feed's URL for one parent (or a batch of them): each placeholder of {@code source.url} gets the
 * parent's value, percent-encoded so that a value can only ever be data in its path segment or query
 * parameter — never a '/', '?', '#', '&' or a whole "." or ".." segment; a batch's values are joined by commas.
 */
public final class ParentUrls {

    private ParentUrls() {
    }

    private static final Pattern MARKER = Pattern.compile("%7B([a-z_][a-z0-9_]{0,62})%7D");

    /**
     * The URL for {@code parents}, made in one pass over the template (a value that looks like a marker stays
     * data); fails when a parent has no value for a placeholder's column.
     */
    public static URI fill(Source source, List<Parent> parents) {
        Matcher markers = MARKER.matcher(source.url().toString());
        StringBuilder url = new StringBuilder();
        while (markers.find()) {
            String column = markers.group(1);
            StringJoiner values = new StringJoiner(",");
            for (Parent parent : parents) {
                String value = parent.columns().get(column);
                if (value == null) {
                    throw new MissingParentValueException(parent, column);
                }
                values.add(encode(value));
            }
            markers.appendReplacement(url, Matcher.quoteReplacement(values.toString()));
        }
        markers.appendTail(url);
        return URI.create(url.toString());
    }

    static String encode(String value) {
        if (value.equals(".") || value.equals("..")) {
            return value.replace(".", "%2E");
        }
        StringBuilder encoded = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    /** A parent whose row has no value (SQL NULL) for a column its child's URL needs. */
    public static final class MissingParentValueException extends UpstreamException {

        MissingParentValueException(Parent parent, String column) {
            super(FailureClass.PERMANENT, null, null, "parent " + parent.keyText() + " has no value for {" + column
                    + "} (NULL in the parent's table): its URL cannot be made");
        }
    }
}
