//! A lock for state that is only touched while attached to Python.
//!
//! With the GIL, only one thread runs at a time, so the lock needs no atomic
//! read-modify-write: a flag read and written under the GIL is enough. A
//! `std::sync::Mutex` costs two locked instructions (lock and unlock, about
//! 20 cycles each here), and the every-value loop takes about 50 field locks
//! per record. The flag is still needed: code run while the lock is held
//! (an allocation that starts the garbage collector, a finalizer) can let go
//! of the GIL, and another thread must then wait instead of seeing the value
//! half changed. The GIL's own hand-over orders the flag and the value between
//! threads. A free-threaded build has no GIL and uses a mutex.

#[cfg(not(Py_GIL_DISABLED))]
mod imp {
    use pyo3::prelude::*;
    use std::cell::UnsafeCell;
    use std::marker::PhantomData;
    use std::ops::{Deref, DerefMut};
    use std::sync::atomic::{AtomicBool, Ordering};

    pub struct GilLock<T> {
        /// Set while a guard exists. Only changed with the GIL held; the
        /// acquire / release orderings (plain moves on x86) order the value
        /// even for a guard dropped after letting go of the GIL.
        held: AtomicBool,
        value: UnsafeCell<T>,
    }

    // SAFETY: the value is only reached through a guard, and a guard is only
    // made with the GIL held and the flag clear (see `lock`), so no two
    // guards exist at once; a guard's thread may let go of the GIL, but then
    // others find the flag set and wait. `T: Send` because the value is used
    // from whichever thread holds the guard.
    unsafe impl<T: Send> Sync for GilLock<T> {}

    pub struct GilGuard<'a, T> {
        lock: &'a GilLock<T>,
        /// Not `Send`: dropped on the thread that made it.
        _here: PhantomData<*const ()>,
    }

    impl<T> GilLock<T> {
        #[inline]
        pub const fn new(value: T) -> Self {
            GilLock {
                held: AtomicBool::new(false),
                value: UnsafeCell::new(value),
            }
        }

        #[inline]
        pub fn lock(&self, py: Python<'_>) -> GilGuard<'_, T> {
            // `py` proves this thread holds the GIL: no other thread runs
            // between the load and the store.
            while self.held.load(Ordering::Acquire) {
                // The holder let go of the GIL (or this thread re-entered,
                // which blocks as a mutex would): give it the GIL back.
                py.detach(std::thread::yield_now);
            }
            self.held.store(true, Ordering::Relaxed);
            GilGuard {
                lock: self,
                _here: PhantomData,
            }
        }

        pub fn get_mut(&mut self) -> &mut T {
            self.value.get_mut()
        }
    }

    impl<T> Deref for GilGuard<'_, T> {
        type Target = T;
        #[inline]
        fn deref(&self) -> &T {
            // SAFETY: this guard is the only one (see `GilLock::lock`).
            unsafe { &*self.lock.value.get() }
        }
    }

    impl<T> DerefMut for GilGuard<'_, T> {
        #[inline]
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: as in `deref`.
            unsafe { &mut *self.lock.value.get() }
        }
    }

    impl<T> Drop for GilGuard<'_, T> {
        #[inline]
        fn drop(&mut self) {
            self.lock.held.store(false, Ordering::Release);
        }
    }
}

#[cfg(Py_GIL_DISABLED)]
mod imp {
    use pyo3::prelude::*;
    use pyo3::sync::MutexExt;
    use std::sync::{Mutex, MutexGuard};

    pub struct GilLock<T>(Mutex<T>);
    pub type GilGuard<'a, T> = MutexGuard<'a, T>;

    impl<T> GilLock<T> {
        pub const fn new(value: T) -> Self {
            GilLock(Mutex::new(value))
        }

        pub fn lock(&self, py: Python<'_>) -> GilGuard<'_, T> {
            self.0
                .lock_py_attached(py)
                .unwrap_or_else(|e| e.into_inner())
        }

        pub fn get_mut(&mut self) -> &mut T {
            self.0.get_mut().unwrap_or_else(|e| e.into_inner())
        }
    }
}

pub use imp::{GilGuard, GilLock};
