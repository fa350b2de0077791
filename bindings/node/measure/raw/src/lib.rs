//! Plain Node-API baseline for the per-call measurement: what a C addon does,
//! with no wrapper layer. Errors are ignored (the harness never triggers any).
#![allow(clippy::missing_safety_doc)]

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::ptr;

use mrrc_core::{Field, Indicators, Record};
use napi_sys::*;

fn sample_record() -> Record {
    let mut r = Record::new();
    r.add_field(Field::control("001", "12345"));
    r.add_field(Field::data(
        "245",
        Indicators::new('1', '0'),
        [('a', "Pale fire :"), ('b', "a novel /"), ('c', "Vladimir Nabokov.")],
    ));
    r
}

thread_local! {
    static CONSTRUCTOR: Cell<napi_ref> = const { Cell::new(ptr::null_mut()) };
    static PENDING: RefCell<Option<Record>> = const { RefCell::new(None) };
}

unsafe fn args<const N: usize>(env: napi_env, info: napi_callback_info) -> (napi_value, [napi_value; N]) {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    let mut this = ptr::null_mut();
    napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), &mut this, ptr::null_mut());
    (this, argv)
}

unsafe fn string(env: napi_env, s: Option<&str>) -> napi_value {
    let mut out = ptr::null_mut();
    match s {
        Some(s) => napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out),
        None => napi_get_null(env, &mut out),
    };
    out
}

unsafe fn record<'a>(env: napi_env, this: napi_value) -> &'a Record {
    let mut p = ptr::null_mut();
    napi_unwrap(env, this, &mut p);
    &*(p as *const Record)
}

unsafe extern "C" fn add(env: napi_env, info: napi_callback_info) -> napi_value {
    let (_, [a, b]) = args::<2>(env, info);
    let (mut x, mut y) = (0u32, 0u32);
    napi_get_value_uint32(env, a, &mut x);
    napi_get_value_uint32(env, b, &mut y);
    let mut out = ptr::null_mut();
    napi_create_uint32(env, x.wrapping_add(y), &mut out);
    out
}

unsafe extern "C" fn finalize(_env: napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(Box::from_raw(data as *mut Record));
}

unsafe extern "C" fn construct(env: napi_env, info: napi_callback_info) -> napi_value {
    let (this, []) = args::<0>(env, info);
    let rec = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_else(sample_record);
    napi_wrap(env, this, Box::into_raw(Box::new(rec)).cast(), Some(finalize), ptr::null_mut(), ptr::null_mut());
    this
}

unsafe extern "C" fn title(env: napi_env, info: napi_callback_info) -> napi_value {
    let (this, []) = args::<0>(env, info);
    string(env, record(env, this).title().as_deref())
}

unsafe fn read_str<'a>(env: napi_env, v: napi_value, buf: &'a mut [u8; 64]) -> &'a str {
    let mut len = 0;
    napi_get_value_string_utf8(env, v, buf.as_mut_ptr().cast(), buf.len(), &mut len);
    std::str::from_utf8(&buf[..len]).unwrap_or("")
}

unsafe extern "C" fn subfield(env: napi_env, info: napi_callback_info) -> napi_value {
    let (this, [t, c]) = args::<2>(env, info);
    let (mut tb, mut cb) = ([0u8; 64], [0u8; 64]);
    let tag = read_str(env, t, &mut tb);
    let code = read_str(env, c, &mut cb).chars().next().unwrap_or('\0');
    let r = record(env, this);
    string(env, r.get(tag).and_then(|f| f.get(code)))
}

unsafe extern "C" fn make_recs(env: napi_env, info: napi_callback_info) -> napi_value {
    let (_, [n]) = args::<1>(env, info);
    let mut count = 0u32;
    napi_get_value_uint32(env, n, &mut count);
    let mut array = ptr::null_mut();
    napi_create_array_with_length(env, count as usize, &mut array);
    let mut ctor = ptr::null_mut();
    napi_get_reference_value(env, CONSTRUCTOR.with(Cell::get), &mut ctor);
    let r = sample_record();
    for i in 0..count {
        PENDING.with(|p| *p.borrow_mut() = Some(r.clone()));
        let mut obj = ptr::null_mut();
        napi_new_instance(env, ctor, 0, ptr::null(), &mut obj);
        napi_set_element(env, array, i, obj);
    }
    array
}

fn method(name: &'static [u8], f: unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value) -> napi_property_descriptor {
    napi_property_descriptor {
        utf8name: name.as_ptr().cast(),
        name: ptr::null_mut(),
        method: Some(f),
        getter: None,
        setter: None,
        value: ptr::null_mut(),
        attributes: PropertyAttributes::default,
        data: ptr::null_mut(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    let methods = [method(b"title\0", title), method(b"subfield\0", subfield)];
    let mut class = ptr::null_mut();
    napi_define_class(env, c"Rec".as_ptr(), 3, Some(construct), ptr::null_mut(), methods.len(), methods.as_ptr(), &mut class);
    let mut class_ref = ptr::null_mut();
    napi_create_reference(env, class, 1, &mut class_ref);
    CONSTRUCTOR.with(|c| c.set(class_ref));
    let functions = [method(b"add\0", add), method(b"makeRecs\0", make_recs)];
    napi_define_properties(env, exports, functions.len(), functions.as_ptr());
    napi_set_named_property(env, exports, c"Rec".as_ptr(), class);
    exports
}
