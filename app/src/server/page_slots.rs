//! How many pages are rendered at once. A render holds its rows and its
//! HTML in memory until it is sent, and two cores are busy well before
//! 128 renders run side by side: past `max_concurrent_pages`, a reader
//! waits for a slot (within the request's timeout) instead of adding one
//! more render to the pile. The server's middleware takes the slot.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug)]
pub struct PageSlots {
    slots: Arc<Semaphore>,
    rendering: AtomicUsize,
    peak: AtomicUsize,
}

impl PageSlots {
    pub fn new(max: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max.max(1))),
            rendering: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Waits for a slot, first come first served; the slot is free again
    /// when the returned guard is dropped.
    pub async fn enter(self: &Arc<Self>) -> PageSlot {
        // The semaphore is never closed: `acquire_owned` cannot fail.
        let permit = self.slots.clone().acquire_owned().await.ok();
        let now = self.rendering.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        metrics::gauge!("maillage_pages_rendering").set(now as f64);
        PageSlot {
            slots: Arc::clone(self),
            _permit: permit,
        }
    }

    /// The renders running now.
    pub fn rendering(&self) -> usize {
        self.rendering.load(Ordering::SeqCst)
    }

    /// The most renders seen at once since the start.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// One page's slot, held while it renders.
#[derive(Debug)]
pub struct PageSlot {
    slots: Arc<PageSlots>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Drop for PageSlot {
    fn drop(&mut self) {
        let now = self.slots.rendering.fetch_sub(1, Ordering::SeqCst) - 1;
        metrics::gauge!("maillage_pages_rendering").set(now as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_more_than_the_slots_render_at_once() {
        let slots = Arc::new(PageSlots::new(2));
        let first = slots.enter().await;
        let _second = slots.enter().await;
        let third = tokio::spawn({
            let slots = Arc::clone(&slots);
            async move { slots.enter().await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!third.is_finished(), "a third render got in beside two");
        drop(first);
        let _third = third.await.expect("the third render gets the freed slot");
        assert_eq!(slots.peak(), 2);
    }
}
