package io.feedsync.ops.logging;

import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every secret value this process knows — upstream credentials and the tokens they earn, webhook
 * secrets, API keys, console and database passwords — registered as it is resolved, so that the
 * log layout ({@link SafeMessageConverter}) writes {@value #MASK} wherever one appears, whichever
 * logger printed it (a DEBUG logger of the HTTP client, Tomcat or the JDK, Camel's tracer). Each
 * secret is masked as written, URL-encoded (as a query parameter or a form field carries it) and,
 * for basic credentials, as the Base64 of {@code user:password} that the header carries. Besides,
 * the value of any credential header a message shows ({@code Authorization: …}, {@code Cookie=…},
 * {@code x-api-key:"…"}) is masked whoever sent it: a caller's wrong key is no one's business either.
 * <p>
 * Values shorter than {@value #MIN_LENGTH} characters are not masked: they would blank out every
 * occurrence of a common word. A value registered twice (two feeds with the same token) stays
 * masked until it is removed twice.
 */
public final class LogSecrets {

    public static final String MASK = "****";
    static final int MIN_LENGTH = 4;

    /** A credential header and its value, as HTTP clients, servers and Camel print headers. */
    private static final Pattern CREDENTIAL_HEADER = Pattern.compile("(?i)\\b((?:proxy-)?authorization|(?:set-)?cookie"
            + "|x-api-key)([\"']?\\s*[:=]\\s*[\"']?)((?:basic|bearer|digest|negotiate|token)\\s+)?[^\\s,;\"'\\[\\]{}()<>]+");

    /**
     * A token in an OAuth2 token answer ({@code "access_token":"…"}, or as a form field), which an HTTP
     * client's wire logger prints before feedsync has read the token and registered it.
     */
    private static final Pattern TOKEN_FIELD = Pattern.compile("(?i)(\\\\?\"?\\b(?:access_token|refresh_token|id_token)"
            + "\\\\?\"?\\s*[:=]\\s*\\\\?\"?)[^\"\\\\&\\s,;}]+");

    private static final Map<String, Integer> known = new ConcurrentHashMap<>();
    /** The values to mask, longest first (a value that holds another is masked whole). */
    private static volatile List<String> masked = List.of();

    private LogSecrets() {
    }

    /** Masks {@code secret} from now on, as written and URL-encoded; also each of {@code encodedForms} as given. */
    public static void add(String secret, String... encodedForms) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            return;
        }
        Set<String> forms = forms(secret);
        forms.addAll(List.of(encodedForms));
        register(forms);
    }

    /**
     * Masks a password and the Base64 of {@code user:password} (UTF-8, and ISO-8859-1 as Spring's
     * {@code setBasicAuth} encodes it) that an {@code Authorization: Basic} header carries.
     */
    public static void addBasicCredentials(String user, String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return;
        }
        Set<String> forms = forms(password);
        for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
            forms.add(Base64.getEncoder().encodeToString((user + ":" + password).getBytes(charset)));
        }
        register(forms);
    }

    /** Stops masking {@code secret}, registered once more than removed (an access token replaced, no longer sent). */
    public static synchronized void remove(String secret) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            return;
        }
        for (String form : forms(secret)) {
            known.computeIfPresent(form, (value, count) -> count == 1 ? null : count - 1);
        }
        refresh();
    }

    /** {@code text} with every credential header's value and every known secret replaced by {@value #MASK}. */
    public static String mask(String text) {
        if (text == null || text.length() < MIN_LENGTH) {
            return text;
        }
        String result = CREDENTIAL_HEADER.matcher(text).replaceAll("$1$2$3" + MASK);
        result = TOKEN_FIELD.matcher(result).replaceAll("$1" + MASK);
        for (String secret : masked) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }

    private static synchronized void register(Set<String> forms) {
        forms.forEach(form -> known.merge(form, 1, Integer::sum));
        refresh();
    }

    private static void refresh() {
        masked = known.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    private static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms.add(percentEncoded(secret));
        return forms;
    }

    /** RFC 3986: everything but the unreserved characters percent-encoded. */
    private static String percentEncoded(String secret) {
        StringBuilder out = new StringBuilder();
        for (byte b : secret.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
