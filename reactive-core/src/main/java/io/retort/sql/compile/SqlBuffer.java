package io.retort.sql.compile;

import java.util.ArrayList;
import java.util.List;

/**
 * SQL text under construction with slot markers at positions, so fragments rendered out of order
 * (a WITH clause found while rendering the body) can be spliced and placeholders numbered in
 * final textual order.
 */
final class SqlBuffer {
    final StringBuilder text = new StringBuilder(128);
    final List<Integer> positions = new ArrayList<>();
    final List<Slot> slots = new ArrayList<>();

    SqlBuffer append(String s) {
        text.append(s);
        return this;
    }

    SqlBuffer append(char c) {
        text.append(c);
        return this;
    }

    void slot(Slot slot) {
        positions.add(text.length());
        slots.add(slot);
    }

    void append(SqlBuffer other) {
        int offset = text.length();
        text.append(other.text);
        for (int i = 0; i < other.slots.size(); i++) {
            positions.add(offset + other.positions.get(i));
            slots.add(other.slots.get(i));
        }
    }

    int length() {
        return text.length();
    }

    /** The text between markers: one more chunk than slots. */
    String[] chunks() {
        String[] out = new String[slots.size() + 1];
        int start = 0;
        for (int i = 0; i < slots.size(); i++) {
            int p = positions.get(i);
            out[i] = text.substring(start, p);
            start = p;
        }
        out[slots.size()] = text.substring(start);
        return out;
    }
}
