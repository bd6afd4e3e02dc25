package io.feedsync.api;

/** Whole numbers as API callers write them in a query: {@code limit}, {@code since}. */
public final class WholeNumbers {

    private WholeNumbers() {
    }

    /**
     * {@code text}, blanks around it ignored, as a whole number from {@code min} to {@code max};
     * anything else is a 400 with {@code refusal} as its message.
     */
    public static long within(String text, long min, long max, String refusal) {
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new BadRequestException(refusal);
    }
}
