//! A real `redis-server` (Debian's package) for the tests: started on a free loopback port in
//! a folder of its own, with or without a password and TLS, killed and restarted at will, and
//! stopped when dropped. Nothing is saved to disk.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Default, Clone)]
pub struct RedisOptions {
    pub password: Option<String>,
    pub tls: bool,
}

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    options: RedisOptions,
    /// The CA that signed the TLS server's certificate, for `ca_file`.
    pub ca_file: Option<PathBuf>,
}

impl RedisServer {
    pub fn start(options: RedisOptions) -> RedisServer {
        let dir = std::env::temp_dir().join(format!(
            "dinero-redis-{}-{:x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let ca_file = options.tls.then(|| write_certificates(&dir));
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
            options,
            ca_file,
        };
        // A port the OS just handed out is free unless someone takes it in between: try again.
        for _ in 0..5 {
            server.port = free_port();
            if server.launch() {
                return server;
            }
        }
        panic!("redis-server did not start: {}", server.log());
    }

    /// `redis://` or `rediss://`, with the password if there is one.
    pub fn url(&self) -> String {
        let scheme = if self.options.tls { "rediss" } else { "redis" };
        let auth = self
            .options
            .password
            .as_ref()
            .map_or(String::new(), |p| format!(":{p}@"));
        format!("{scheme}://{auth}127.0.0.1:{}/0", self.port)
    }

    /// A connection for the test's own commands; every step of it has a deadline, so a test
    /// whose server stalls fails rather than hangs.
    pub fn admin(&self) -> redis::Connection {
        let deadline = Duration::from_secs(10);
        let connection = redis::Client::open(self.url())
            .unwrap()
            .get_connection_with_timeout(deadline)
            .expect("the test's own connection to redis-server");
        connection.set_read_timeout(Some(deadline)).unwrap();
        connection.set_write_timeout(Some(deadline)).unwrap();
        connection
    }

    /// Kills the server at once (SIGKILL), like a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.launch() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not restart: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn launch(&mut self) -> bool {
        let log = self.dir.join("redis.log");
        let _ = std::fs::remove_file(&log);
        let port = self.port.to_string();
        let mut args: Vec<String> = vec![
            "--bind".into(),
            "127.0.0.1".into(),
            "--save".into(),
            String::new(),
            "--appendonly".into(),
            "no".into(),
            "--dir".into(),
            self.dir.display().to_string(),
            "--logfile".into(),
            log.display().to_string(),
            "--daemonize".into(),
            "no".into(),
        ];
        if self.options.tls {
            let file = |name: &str| self.dir.join(name).display().to_string();
            args.extend([
                "--port".into(),
                "0".into(),
                "--tls-port".into(),
                port,
                "--tls-cert-file".into(),
                file("server.pem"),
                "--tls-key-file".into(),
                file("server.key"),
                "--tls-ca-cert-file".into(),
                file("ca.pem"),
                "--tls-auth-clients".into(),
                "no".into(),
            ]);
        } else {
            args.extend(["--port".into(), port]);
        }
        if let Some(password) = &self.options.password {
            args.extend(["--requirepass".into(), password.clone()]);
        }
        let mut command = Command::new("redis-server");
        // SAFETY: prctl is async-signal-safe and touches only the child's own attributes.
        // Killed with the test process's thread that started it, however that ends (Drop does
        // not run when the test binary is killed by a signal).
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            })
        };
        let child = command
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (make test installs Debian's redis-server)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.log().contains("Ready to accept connections") {
                return true;
            }
            let exited = self
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_some());
            if exited {
                self.child = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        false
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A throwaway CA and a server certificate for 127.0.0.1 signed by it; returns the CA's path.
fn write_certificates(dir: &std::path::Path) -> PathBuf {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    dir.join("ca.pem")
}
