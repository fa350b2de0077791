//! mrrc-core errors as JS `Error` objects with `code`, `kind`, `recordIndex`,
//! `byteOffset`, `line` and `column` properties.

use mrrc_core::{Error as CoreError, ErrorKind, Position, Warning};
use napi::{Env, JsObject, Status};
use napi_derive::napi;

/// The stable `code` of an error kind, e.g. `MRRC_TRUNCATED`.
pub fn code(kind: ErrorKind) -> String {
    let name = match kind {
        ErrorKind::Io => "IO".to_string(),
        ErrorKind::Marc8 => "MARC8".to_string(),
        ErrorKind::Json => "JSON".to_string(),
        other => other
            .name()
            .to_ascii_uppercase()
            .replace([' ', '/', '-'], "_"),
    };
    format!("MRRC_{name}")
}

fn set_position(env: &Env, obj: &mut JsObject, position: &Position) -> napi::Result<()> {
    let pairs = [
        ("recordIndex", position.record_index),
        ("byteOffset", position.byte_offset),
        ("line", position.line),
        ("column", position.column),
    ];
    for (name, value) in pairs {
        match value {
            Some(v) => obj.set_named_property(name, env.create_double(v as f64)?)?,
            None => obj.set_named_property(name, env.get_null()?)?,
        }
    }
    Ok(())
}

/// Builds the JS error object for a core error.
pub fn to_js(env: &Env, e: &CoreError) -> napi::Result<JsObject> {
    let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, e.to_string()))?;
    obj.set_named_property("code", env.create_string(&code(e.kind))?)?;
    obj.set_named_property("kind", env.create_string(e.kind.name())?)?;
    set_position(env, &mut obj, &e.position)?;
    obj.set_named_property("detail", env.create_string(&e.message)?)?;
    Ok(obj)
}

/// A napi error that throws (or rejects with) the JS error for `e`.
pub fn throw(env: &Env, e: &CoreError) -> napi::Error {
    match to_js(env, e) {
        Ok(obj) => napi::Error::from(obj.into_unknown()),
        Err(err) => err,
    }
}

/// A warning as a plain object `{code, kind, message, recordIndex, ...}`.
pub fn warning_to_js(env: &Env, w: &Warning) -> napi::Result<JsObject> {
    let mut obj = env.create_object()?;
    obj.set_named_property("code", env.create_string(&code(w.kind))?)?;
    obj.set_named_property("kind", env.create_string(w.kind.name())?)?;
    obj.set_named_property("message", env.create_string(&w.to_string())?)?;
    set_position(env, &mut obj, &w.position)?;
    Ok(obj)
}

/// An error raised by the binding itself (bad argument, index out of range).
pub fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorKind::InvalidArgument, message.into())
}

/// The error `invalid(detail)` gives, for `index.js` to throw for a misuse
/// it finds itself: one definition of the error's shape.
#[napi]
pub fn invalid_argument_error(env: Env, detail: String) -> napi::Result<JsObject> {
    to_js(&env, &invalid(detail))
}
