package io.feedsync.transform;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The values of one row of a {@link ColumnMapping}, column name to text, in the mapping's column
 * order: one array per row instead of a hash map's entries, and one key set shared by every row
 * of the mapping, so the writer sees at a glance that rows set the same columns. Read-only.
 */
public final class ColumnValues extends AbstractMap<String, String> {

    /** The columns of a mapping, shared by its rows. */
    public static final class Columns {
        private final String[] names;
        private final Set<String> keySet;

        public Columns(List<String> names) {
            this.names = names.toArray(String[]::new);
            this.keySet = Collections.unmodifiableSet(new LinkedHashSet<>(names));
            if (keySet.size() != this.names.length) {
                throw new IllegalArgumentException("columns repeat: " + names);
            }
        }

        public int size() {
            return names.length;
        }
    }

    private final Columns columns;
    private final String[] values;

    /** {@code values}: one per column, in the columns' order (null for SQL NULL); kept, not copied. */
    public ColumnValues(Columns columns, String[] values) {
        if (values.length != columns.names.length) {
            throw new IllegalArgumentException(values.length + " values for " + columns.names.length + " columns");
        }
        this.columns = columns;
        this.values = values;
    }

    @Override
    public String get(Object column) {
        int i = indexOf(column);
        return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object column) {
        return indexOf(column) >= 0;
    }

    @Override
    public int size() {
        return values.length;
    }

    /** The same instance for every row of the mapping. */
    @Override
    public Set<String> keySet() {
        return columns.keySet;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, String> entry = new SimpleImmutableEntry<>(columns.names[next], values[next]);
                        next++;
                        return entry;
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }

    /** The column's name at {@code i}, in the mapping's order. */
    String column(int i) {
        return columns.names[i];
    }

    /** The value at {@code i}, in the mapping's order. */
    String value(int i) {
        return values[i];
    }

    private int indexOf(Object column) {
        String[] names = columns.names;
        for (int i = 0; i < names.length; i++) {
            if (names[i] == column) {
                return i;
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(column)) {
                return i;
            }
        }
        return -1;
    }
}
