//! `ui/src/lib/commands.ts`: one typed wrapper per `#[tauri::command]` of
//! the shell, generated from the functions themselves, so a command's name,
//! its arguments' names and their types are written once (in Rust). A
//! renamed command or argument changes the generated wrapper; a changed type
//! fails the UI's typecheck where it is called. `cargo xtask bindings`
//! writes it; `cargo xtask test` fails when it is stale.

use crate::util::root;
use std::collections::BTreeSet;

const SOURCES: &[&str] = &[
    "src-tauri/src/commands.rs",
    "src-tauri/src/pricing_commands.rs",
    "src-tauri/src/sync_commands.rs",
    "src-tauri/src/inbox_commands.rs",
];
const OUT: &str = "ui/src/lib/commands.ts";

/// Parameters the shell's runtime fills in, not the UI.
fn injected(ty: &str) -> bool {
    ["State<", "S<'_>", "AppHandle", "Window", "Webview"].iter().any(|p| ty.contains(p))
}

struct Command {
    name: String,
    params: Vec<(String, String)>,
    ret: String,
}

/// Splits at commas not inside `<>`, `()` or `[]`.
fn split_top(s: &str) -> Vec<String> {
    let (mut depth, mut cur, mut out) = (0i32, String::new(), vec![]);
    for c in s.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

fn parse(text: &str) -> Result<Vec<Command>, String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(at) = rest.find("#[tauri::command]") {
        rest = &rest[at + "#[tauri::command]".len()..];
        let f = rest.find("fn ").ok_or("a command without fn")?;
        let sig = &rest[f + 3..];
        let open = sig.find('(').ok_or("no (")?;
        let name = sig[..open].trim().to_string();
        // the matching ')'
        let (mut depth, mut close) = (0i32, None);
        for (i, c) in sig[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.ok_or("no )")?;
        let body = sig[close + 1..].find('{').ok_or("no body")?;
        let ret = sig[close + 1..close + 1 + body].trim();
        let ret = ret.strip_prefix("->").map_or("()", str::trim).to_string();
        let mut params = vec![];
        for p in split_top(&sig[open + 1..close]) {
            let (n, ty) = p.split_once(':').ok_or_else(|| format!("{name}: parameter {p:?}"))?;
            let ty = ty.trim().to_string();
            if injected(&ty) {
                continue;
            }
            params.push((n.trim().trim_start_matches("mut ").to_string(), ty));
        }
        out.push(Command { name, params, ret });
    }
    Ok(out)
}

fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A Rust type as the TypeScript the IPC carries (serde's JSON), naming the
/// custom types it uses.
fn ts(ty: &str, used: &mut BTreeSet<String>) -> Result<String, String> {
    let ty = ty.trim().trim_start_matches('&').trim();
    if ty == "()" {
        return Ok("void".into());
    }
    if let Some(inner) = ty.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        let parts = split_top(inner).iter().map(|p| ts(p, used)).collect::<Result<Vec<_>, _>>()?;
        return Ok(format!("[{}]", parts.join(", ")));
    }
    let (head, args) = match ty.find('<') {
        Some(i) if ty.ends_with('>') => (&ty[..i], Some(&ty[i + 1..ty.len() - 1])),
        _ => (ty, None),
    };
    let head = head.rsplit("::").next().unwrap_or(head);
    let args = args.map(split_top).unwrap_or_default();
    let arg = |i: usize, used: &mut BTreeSet<String>| -> Result<String, String> {
        ts(args.get(i).ok_or_else(|| format!("{ty}: missing type argument"))?, used)
    };
    Ok(match head {
        "String" | "str" => "string".into(),
        "bool" => "boolean".into(),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => "number".into(),
        "Value" => "unknown".into(),
        "ApiResult" | "Result" => arg(0, used)?,
        "Option" => format!("{} | null", arg(0, used)?),
        "Vec" => {
            let t = arg(0, used)?;
            if t.contains(" | ") {
                format!("({t})[]")
            } else {
                format!("{t}[]")
            }
        }
        "BTreeMap" | "HashMap" => format!("Record<{}, {}>", arg(0, used)?, arg(1, used)?),
        "f32" | "f64" => return Err(format!("{ty}: no floats cross IPC")),
        custom => {
            used.insert(custom.to_string());
            if args.is_empty() {
                custom.to_string()
            } else {
                let a = args.iter().map(|a| ts(a, used)).collect::<Result<Vec<_>, _>>()?;
                format!("{custom}<{}>", a.join(", "))
            }
        }
    })
}

pub fn generate() -> Result<String, String> {
    let mut cmds = vec![];
    for src in SOURCES {
        let text = std::fs::read_to_string(root().join(src)).map_err(|e| format!("{src}: {e}"))?;
        cmds.extend(parse(&text).map_err(|e| format!("{src}: {e}"))?);
    }
    cmds.sort_by(|a, b| a.name.cmp(&b.name));
    let mut used = BTreeSet::new();
    let mut body = String::new();
    for c in &cmds {
        if c.params.iter().any(|(_, t)| t.contains("ipc::Request")) {
            // a raw body (bytes + headers): written by hand in api.ts
            continue;
        }
        let mut params = vec![];
        let mut keys = vec![];
        for (n, t) in &c.params {
            params.push(format!("{}: {}", camel(n), ts(t, &mut used)?));
            keys.push(camel(n));
        }
        let ret = ts(&c.ret, &mut used)?;
        let args = if keys.is_empty() { String::new() } else { format!(", {{ {} }}", keys.join(", ")) };
        body.push_str(&format!(
            "  {}: ({}) => invoke<{ret}>('{}'{args}),\n",
            camel(&c.name),
            params.join(", "),
            c.name
        ));
    }
    let mut out = String::from(
        "// Generated from src-tauri's #[tauri::command] functions by `cargo xtask bindings`.\n\
         // Do not edit: `cargo xtask test` fails when this file is stale.\n\
         import { invoke } from '@tauri-apps/api/core';\n",
    );
    if !used.is_empty() {
        out.push_str(&format!(
            "import type {{ {} }} from './bindings';\n",
            used.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    out.push_str("\n/** Every command of the shell, by its Rust name in camelCase. */\nexport const commands = {\n");
    out.push_str(&body);
    out.push_str("};\n");
    Ok(out)
}

pub fn write() -> Result<(), String> {
    std::fs::write(root().join(OUT), generate()?).map_err(|e| e.to_string())
}

pub fn check() -> Result<(), String> {
    let on_disk = std::fs::read_to_string(root().join(OUT)).unwrap_or_default();
    if on_disk == generate()? {
        println!("{OUT}: fresh");
        Ok(())
    } else {
        Err(format!("{OUT} is stale: run `cargo xtask bindings` and commit the result"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_become_typed_wrappers() {
        let src = "#[tauri::command]\npub async fn set_stock(state: S<'_>, warehouse_id: String, on_hand: i64, \
                   ids: Option<Vec<String>>, m: BTreeMap<String, String>, c: Vec<(String, Keep)>) -> ApiResult<mercator_api::Page<StockRowDto>> {\n}\n\
                   #[tauri::command]\npub fn resume(app: tauri::AppHandle) {}";
        let cmds = parse(src).unwrap();
        assert_eq!(cmds.len(), 2);
        let mut used = BTreeSet::new();
        let types: Vec<String> = cmds[0].params.iter().map(|(_, t)| ts(t, &mut used).unwrap()).collect();
        assert_eq!(types, ["string", "number", "string[] | null", "Record<string, string>", "[string, Keep][]"]);
        assert_eq!(ts(&cmds[0].ret, &mut used).unwrap(), "Page<StockRowDto>");
        assert_eq!(cmds[1].params.len(), 0);
        assert_eq!(ts(&cmds[1].ret, &mut used).unwrap(), "void");
        assert_eq!(used.into_iter().collect::<Vec<_>>(), ["Keep", "Page", "StockRowDto"]);
        assert!(ts("f64", &mut BTreeSet::new()).is_err());
        assert_eq!(camel("list_orders_filtered"), "listOrdersFiltered");
    }
}
