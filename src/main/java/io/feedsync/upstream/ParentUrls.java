package io.feedsync.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child feed's URL for one parent (or a batch of them): each placeholder of {@code source.url} gets the
 * parent's value, percent-encoded so that a value is only ever data in its path segment or query
 * parameter (a batch's values joined by commas). A value that could still mean more than data to an
 * upstream that decodes before it routes is refused: empty, or in the path a whole {@code .} or
 * {@code ..}, or holding a {@code /}, {@code \}, {@code %} or a control character; and so is one longer than
 * {@value #MAX_VALUE} characters. Such a parent is skipped or fails the run as a 404 would.
 */
public final class ParentUrls {

    /** The longest parent value a URL takes. */
    public static final int MAX_VALUE = 2048;

    private static final Pattern MARKER = Pattern.compile("%7B([a-z_][a-z0-9_]{0,62})%7D");
    private static final Pattern UNSAFE_IN_PATH = Pattern.compile("^\\.{1,2}$|[/\\\\%\\p{Cntrl}]");

    private ParentUrls() {
    }

    /**
     * The URL for {@code parents}, made in one pass over the template (a value that looks like a marker stays
     * data); fails for a parent value it cannot take.
     */
    public static URI fill(Source source, List<Parent> parents) {
        String template = source.url().toString();
        int query = template.indexOf('?');
        Matcher markers = MARKER.matcher(template);
        StringBuilder url = new StringBuilder();
        while (markers.find()) {
            String column = markers.group(1);
            boolean inPath = query < 0 || markers.start() < query;
            StringJoiner values = new StringJoiner(",");
            for (Parent parent : parents) {
                values.add(encode(usable(parent, column, inPath)));
            }
            markers.appendReplacement(url, Matcher.quoteReplacement(values.toString()));
        }
        markers.appendTail(url);
        return URI.create(url.toString());
    }

    private static String usable(Parent parent, String column, boolean inPath) {
        String value = parent.columns().get(column);
        if (value == null || value.isEmpty()) {
            throw new UnusableParentValueException(parent, column, value == null ? "has no value (NULL)" : "is empty");
        }
        if (value.length() > MAX_VALUE) {
            throw new UnusableParentValueException(parent, column, "is longer than " + MAX_VALUE + " characters");
        }
        if (inPath && UNSAFE_IN_PATH.matcher(value).find()) {
            throw new UnusableParentValueException(parent, column, "is a '.' or '..' segment, or holds a '/', '\\', '%'"
                    + " or a control character, which an upstream may read as more than an id in its path");
        }
        return value;
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

    /** A parent whose value for a column its child's URL needs cannot go into that URL. */
    public static final class UnusableParentValueException extends UpstreamException {

        UnusableParentValueException(Parent parent, String column, String why) {
            super(FailureClass.PERMANENT, null, null, "parent " + parent.keyText() + ": its {" + column + "} " + why
                    + "; its URL is not requested");
        }
    }
}
