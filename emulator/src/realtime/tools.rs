//! When a response calls a function, and with which arguments.
//!
//! The rule: with function tools configured and `tool_choice` not `none`, a response to a
//! user's message (its text, or what was heard in its audio) calls
//! - the function `tool_choice` names (`{"type": "function", "name": ...}`), else
//! - the first tool whose name the message contains, case-insensitively, with `_` and `-`
//!   read as spaces (`get_weather` is named by "get weather" and by "GET_WEATHER"), else
//! - with `tool_choice: "required"`, the first tool.
//!
//! The arguments are a JSON object with each property of the tool's `parameters`: strings get
//! the message's text, numbers and integers 1, booleans true, arrays `[]`, objects `{}`. A
//! response to a function's output never calls a function: it answers with that output.

use serde_json::{json, Map, Value};

/// The function a response to `prompt` calls (name, arguments as JSON text), if any.
pub(crate) fn call(tools: &[Value], choice: &Value, prompt: &str) -> Option<(String, String)> {
    let name = |t: &Value| t.get("name").and_then(Value::as_str).map(str::to_owned);
    let functions: Vec<&Value> = tools
        .iter()
        .filter(|t| t.get("type").and_then(Value::as_str).unwrap_or("function") == "function")
        .collect();
    let tool = match choice {
        Value::String(c) if c == "none" => None,
        Value::Object(o) => {
            let wanted = o.get("name").and_then(Value::as_str);
            functions
                .iter()
                .find(|t| name(t).as_deref() == wanted)
                .copied()
        }
        _ => {
            let spoken = words(prompt);
            let named = functions.iter().find(|t| {
                name(t).is_some_and(|n| {
                    let n = words(&n);
                    !n.is_empty() && spoken.contains(&n)
                })
            });
            match named {
                Some(t) => Some(*t),
                None if choice == "required" => functions.first().copied(),
                None => None,
            }
        }
    }?;
    Some((name(tool)?, arguments(tool, prompt)))
}

/// Lower case, `_` and `-` as spaces, single spaces, padded so names match whole words.
fn words(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c == '_' || c == '-' || !c.is_alphanumeric() {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .to_lowercase();
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        joined
    } else {
        format!(" {joined} ")
    }
}

fn arguments(tool: &Value, prompt: &str) -> String {
    let mut args = Map::new();
    let properties = tool
        .pointer("/parameters/properties")
        .and_then(Value::as_object);
    for (key, schema) in properties.into_iter().flatten() {
        let value = match schema.get("type").and_then(Value::as_str) {
            Some("string") => json!(prompt),
            Some("number") | Some("integer") => json!(1),
            Some("boolean") => json!(true),
            Some("array") => json!([]),
            Some("object") => json!({}),
            _ => Value::Null,
        };
        args.insert(key.clone(), value);
    }
    Value::Object(args).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weather() -> Vec<Value> {
        vec![
            json!({"type": "function", "name": "set_volume", "parameters": {"type": "object", "properties": {"level": {"type": "integer"}}}}),
            json!({"type": "function", "name": "get_weather", "parameters": {"type": "object",
                "properties": {"location": {"type": "string"}, "metric": {"type": "boolean"}}}}),
        ]
    }

    #[test]
    fn a_named_tool_is_called_with_arguments_from_its_schema() {
        let (name, args) =
            call(&weather(), &json!("auto"), "Please get weather for Paris").unwrap();
        assert_eq!(name, "get_weather");
        let args: Value = serde_json::from_str(&args).unwrap();
        assert_eq!(
            args,
            json!({"location": "Please get weather for Paris", "metric": true})
        );
        assert!(call(&weather(), &json!("auto"), "GET_WEATHER now").is_some());
    }

    #[test]
    fn no_call_without_a_name_unless_required_or_chosen() {
        assert_eq!(call(&weather(), &json!("auto"), "Hello there"), None);
        assert_eq!(call(&weather(), &json!("none"), "get weather"), None);
        assert_eq!(call(&[], &json!("required"), "get weather"), None);
        assert_eq!(
            call(&weather(), &json!("required"), "Hello")
                .map(|c| c.0)
                .as_deref(),
            Some("set_volume")
        );
        assert_eq!(
            call(
                &weather(),
                &json!({"type": "function", "name": "get_weather"}),
                "Hi"
            )
            .map(|c| c.0)
            .as_deref(),
            Some("get_weather")
        );
        assert_eq!(call(&weather(), &json!("auto"), "forget weathering"), None);
    }
}
