package dev.functiongateway.registry;

import java.util.ArrayList;
import java.util.List;

/** Instance rows as read: those routing can use, and those it must skip. */
public record InstanceRows(List<FunctionInstance> usable, List<UnusableInstance> unusable) {

    public InstanceRows {
        usable = List.copyOf(usable);
        unusable = List.copyOf(unusable);
    }

    /** Splits rows mapped to {@link FunctionInstance} or {@link UnusableInstance}. */
    static InstanceRows of(List<Object> rows) {
        List<FunctionInstance> usable = new ArrayList<>(rows.size());
        List<UnusableInstance> unusable = new ArrayList<>();
        for (Object row : rows) {
            if (row instanceof FunctionInstance instance) {
                usable.add(instance);
            } else {
                unusable.add((UnusableInstance) row);
            }
        }
        return new InstanceRows(usable, unusable);
    }
}
