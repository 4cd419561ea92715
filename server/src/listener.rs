//! The listening socket, bounded: at most `max_connections` served at once
//! (more wait in the kernel's listen queue instead of exhausting the
//! process's file descriptors), each closed after `idle_timeout` without a
//! byte read or written (idle keep-alive, a client that trickles its
//! request or stops reading the answer), with `TCP_NODELAY` so small
//! answers on a kept-alive connection do not wait for a delayed ACK.
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::{Listener, ListenerExt, TapIo};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// How many connections, and how long a silent one lives.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub idle_timeout: Duration,
}

impl Limits {
    pub fn of(config: &app::server::config::Config) -> Self {
        Self {
            max_connections: config.max_connections,
            idle_timeout: config.idle_timeout,
        }
    }
}

/// A TCP listener that applies [`Limits`].
pub struct Bounded {
    tcp: TcpListener,
    slots: Arc<Semaphore>,
    idle_timeout: Duration,
}

/// The listener `axum::serve` takes (its `ConnectInfo<SocketAddr>` works on
/// a tapped listener), with TCP_NODELAY set on each connection.
pub fn bounded(tcp: TcpListener, limits: Limits) -> TapIo<Bounded, fn(&mut Guarded)> {
    Bounded {
        tcp,
        slots: Arc::new(Semaphore::new(limits.max_connections)),
        idle_timeout: limits.idle_timeout,
    }
    .tap_io(no_delay as fn(&mut Guarded))
}

fn no_delay(io: &mut Guarded) {
    if let Err(err) = io.tcp.set_nodelay(true) {
        tracing::warn!(error = %err, "TCP_NODELAY not set");
    }
}

impl Listener for Bounded {
    type Io = Guarded;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Guarded, SocketAddr) {
        // Wait for a free slot before taking the next connection.
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        loop {
            match self.tcp.accept().await {
                Ok((tcp, addr)) => {
                    metrics::gauge!("maillage_http_connections_open").increment(1.0);
                    let io = Guarded {
                        tcp,
                        idle: Box::pin(tokio::time::sleep(self.idle_timeout)),
                        idle_timeout: self.idle_timeout,
                        _slot: slot,
                    };
                    return (io, addr);
                }
                Err(err) => {
                    // Out of file descriptors or a connection reset before
                    // it was taken: wait a little, never spin.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// One accepted connection: its slot is freed when it is dropped.
pub struct Guarded {
    tcp: TcpStream,
    idle: Pin<Box<Sleep>>,
    idle_timeout: Duration,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Guarded {
    fn drop(&mut self) {
        metrics::gauge!("maillage_http_connections_open").decrement(1.0);
    }
}

impl Guarded {
    fn progressed(&mut self) {
        let deadline = Instant::now() + self.idle_timeout;
        self.idle.as_mut().reset(deadline);
    }

    /// Pending I/O: an error once the connection has been silent too long.
    fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.idle.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.tcp).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.progressed();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.pending(cx),
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.tcp).poll_write(cx, buf) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    this.progressed();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.pending(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    this.progressed();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.pending(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}
