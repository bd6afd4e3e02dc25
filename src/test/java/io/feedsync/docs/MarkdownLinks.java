package io.feedsync.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relative links of Markdown files, checked the way GitHub renders them: a link's file must
 * exist, and its {@code #anchor}, if any, must be the slug of a heading of that file. Links and
 * headings inside fenced code blocks do not count; web links ({@code https:}, {@code mailto:}) are
 * not followed.
 */
final class MarkdownLinks {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern INLINE_LINK = Pattern.compile("\\[([^\\]]*)]\\([^)]*\\)");
    private static final Pattern EXTERNAL = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");

    private final Path root;
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    MarkdownLinks(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    static final String NO_SUCH_FILE = "no such file";

    /** A link that leads nowhere: in which page, as written, the file it resolves to, and why. */
    record Broken(Path page, String link, Path target, String problem) {
        @Override
        public String toString() {
            return page + ": " + link + " (" + problem + ")";
        }
    }

    /** Every broken relative link of {@code page} (a path under the root); empty when all resolve. */
    List<Broken> broken(Path page) {
        Path source = root.resolve(page).normalize();
        List<Broken> broken = new ArrayList<>();
        for (String line : prose(source)) {
            Matcher link = LINK.matcher(line);
            while (link.find()) {
                String target = link.group(1);
                if (!EXTERNAL.matcher(target).matches()) {
                    check(source, target).ifPresent(broken::add);
                }
            }
        }
        return broken;
    }

    private Optional<Broken> check(Path source, String link) {
        int hash = link.indexOf('#');
        String path = hash < 0 ? link : link.substring(0, hash);
        String anchor = hash < 0 ? null : link.substring(hash + 1);
        Path resolved = path.isEmpty() ? source : source.getParent().resolve(path).normalize();
        String problem = null;
        if (!resolved.startsWith(root)) {
            problem = "outside the repository";
        } else if (!Files.exists(resolved)) {
            problem = NO_SUCH_FILE;
        } else if (anchor != null && !resolved.toString().endsWith(".md")) {
            problem = "an anchor into a file that is not Markdown";
        } else if (anchor != null && !anchors(resolved).contains(anchor)) {
            problem = "no heading with anchor #" + anchor + " in " + root.relativize(resolved);
        }
        return Optional.ofNullable(problem)
                .map(why -> new Broken(root.relativize(source), link, root.relativize(resolved), why));
    }

    /** The anchors GitHub gives the file's headings, a repeated one suffixed -1, -2, … */
    Set<String> anchors(Path file) {
        return anchors.computeIfAbsent(file, f -> {
            Set<String> slugs = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (String line : prose(f)) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    String slug = slug(heading.group(1));
                    int count = seen.merge(slug, 1, Integer::sum);
                    slugs.add(count == 1 ? slug : slug + "-" + (count - 1));
                }
            }
            return slugs;
        });
    }

    /** GitHub's heading anchor: the rendered text, lower case, punctuation dropped, spaces as '-'. */
    static String slug(String heading) {
        String text = INLINE_LINK.matcher(heading).replaceAll("$1").replace("`", "");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "")
                .replace(' ', '-');
    }

    /** The file's lines outside fenced code blocks. */
    private static List<String> prose(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> prose = new ArrayList<>();
        boolean fenced = false;
        for (String line : lines) {
            String trimmed = line.stripLeading();
            if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                fenced = !fenced;
            } else if (!fenced) {
                prose.add(line);
            }
        }
        return prose;
    }
}
