package dev.functiongateway.admin;

import java.beans.PropertyEditorSupport;
import java.util.UUID;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

import dev.functiongateway.support.Ids;

/**
 * Path variables that are UUIDs are parsed strictly: a character missing is a 400, not another id. A binder
 * editor, because it takes precedence over the conversion service's lenient {@code String -> UUID} converter.
 */
@ControllerAdvice
class StrictPathVariables {

    @InitBinder
    void strictUuids(WebDataBinder binder) {
        binder.registerCustomEditor(UUID.class, new PropertyEditorSupport() {
            @Override
            public void setAsText(String text) {
                setValue(Ids.parseUuid(text));
            }
        });
    }
}
