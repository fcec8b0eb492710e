// ctest docker.check: docker/ checked without a Docker engine (there is none
// here nor in CI, and no registry to pull debian:bookworm-slim from).
//
//   node tests/docker/check-docker.mjs --work DIR
//
// 1. The Dockerfile: its build stage runs only the checkout's own scripts
//    (no apt-get, no compiler by hand), and those only use helpers of
//    scripts/lib/common.sh that scripts/test runs too; every COPY source
//    exists; the runtime stages install the package lists of common.sh,
//    and the pool's list holds the package of every library the built
//    binary links to.
// 2. The build stage run the way docker would: its COPY lines into a fresh
//    root, each RUN through /bin/sh -c in its WORKDIR with docker's
//    environment (nothing of ours leaks in: CI exports UMKM_BUILD_DIR).
//    Then each image's files laid out from its COPY lines (the binary from
//    that build), and its entry point run from there: the pool's config
//    rendered and accepted by `umkm-fcgi -t`, the pool started on TCP and
//    its health probe answered (503: there is no database); nginx's config
//    rendered by scripts/lib/render.sh and accepted by `nginx -t`; the migration
//    scripts run. A file an image lacks fails here.
// 3. docker/compose.yaml through Debian's `docker-compose config` (and
//    `docker compose config` where a v2 plugin is installed), with secret
//    files in a temporary directory, then the resolved file: healthchecks,
//    depends_on conditions, secrets only as files and only where needed,
//    the database on a named volume, the worker count and HTTP port from
//    the environment, the networks that act as firewalls.
// 4. The stack's wiring played without Docker (tests/docker/stack-in-netns,
//    as root, in a network namespace of its own): MariaDB with
//    conf/mariadb/umkm.cnf, then migrate, pool and nginx from the laid-out
//    images' entry points at the compose addresses, as unprivileged users;
//    a purchase through nginx and its PAID event; the pool's account denied
//    DELETE; a backup and its restore. (The commands they run are this
//    machine's: one that an image's packages lack is not found here.)
// docker/ repeats no setting: MariaDB's are conf/mariadb/umkm.cnf, mounted;
// the pool's, its account's and nginx's are rendered by scripts/lib/render.sh
// (tests/conf checks a change there reaches the Docker render).
//
// Prints one line per check, then "N passed, N failed" (", N skipped").
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const workArg = process.argv.indexOf("--work");
const work = path.resolve(workArg > 0 ? process.argv[workArg + 1] : fs.mkdtempSync("/tmp/umkm-docker-"));
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

// docker's default PATH in a Debian image; the build runs as root there.
const DOCKER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// What each image must install, by its stage (scripts/build --packages).
const STAGE_LIST = { pool: "pool", nginx: "nginx", tools: "db-client" };
// The compose services built from the Dockerfile, and their targets.
const SERVICE_TARGET = { migrate: "tools", backup: "tools", pool: "pool", nginx: "nginx" };

let passed = 0;
let failed = 0;
let skipped = 0;
// A check returns a note for its line, or { skip: why }.
function report(name, started, note) {
    const took = `[${((Date.now() - started) / 1000).toFixed(1)} s]`;
    if (note?.skip) {
        skipped++;
        console.log(`skip ${name}: ${note.skip}`);
    } else {
        passed++;
        console.log(`ok   ${name}${note ? ` (${note})` : ""} ${took}`);
    }
}
function check(name, fn) {
    const started = Date.now();
    try {
        report(name, started, fn());
    } catch (error) {
        failed++;
        console.log(`FAIL ${name}: ${error.message}`);
    }
}
async function checkAsync(name, fn) {
    const started = Date.now();
    try {
        report(name, started, await fn());
    } catch (error) {
        failed++;
        console.log(`FAIL ${name}: ${error.message}`);
    }
}
function assert(condition, message) {
    if (!condition) throw new Error(message);
}
function run(command, args, options = {}) {
    const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
    if (result.error) throw result.error;
    return result;
}
function mustRun(command, args, options = {}) {
    const result = run(command, args, options);
    assert(result.status === 0,
        `${command} ${args.join(" ")} exited ${result.status}:\n${(result.stdout + result.stderr).trim().slice(-3000)}`);
    return result.stdout;
}
const read = (relative) => fs.readFileSync(path.join(root, relative), "utf8");

// ---- Parsing ----------------------------------------------------------------

// Instructions of a Dockerfile, grouped by stage: comments and parser
// directives skipped, continuation lines joined, JSON (exec) forms decoded.
function parseDockerfile(text) {
    const stages = [];
    let logical = "";
    for (const line of text.split("\n")) {
        if (!logical && /^\s*(#|$)/.test(line)) continue;
        if (/\\\s*$/.test(line)) {
            logical += line.replace(/\\\s*$/, " ");
            continue;
        }
        logical += line;
        const [, keyword, rest] = logical.trim().match(/^(\S+)\s*(.*)$/s);
        logical = "";
        const instruction = { keyword: keyword.toUpperCase(), rest: rest.trim() };
        if (instruction.keyword === "FROM") {
            const [, image, name] = rest.match(/^(\S+)(?:\s+AS\s+(\S+))?/i);
            stages.push({ image, name: name ?? String(stages.length), instructions: [] });
            continue;
        }
        assert(stages.length, `${keyword} before any FROM`);
        stages.at(-1).instructions.push(instruction);
    }
    return stages;
}

// COPY's flags, sources and destination.
function parseCopy(rest) {
    const flags = {};
    let words = rest.startsWith("[") ? JSON.parse(rest) : rest.split(/\s+/);
    while (words[0]?.startsWith("--")) {
        const [flag, value] = words.shift().slice(2).split("=");
        flags[flag] = value ?? true;
    }
    if (words[0]?.startsWith("[")) words = JSON.parse(words.join(" "));
    return { flags, sources: words.slice(0, -1), dest: words.at(-1) };
}

// The simple commands of a RUN in shell form (split at && || ; |), as words.
function simpleCommands(rest) {
    if (rest.startsWith("[")) return [JSON.parse(rest)];
    return rest.split(/&&|\|\||;|\|/).map((part) => part.trim().split(/\s+/)).filter((w) => w[0]);
}

// The umkm_* helpers of common.sh that a script calls, and what each helper
// calls in turn: so "scripts/build uses only what scripts/test uses" can be
// asked of the call graph rather than of names.
function helperGraph() {
    const common = read("scripts/lib/common.sh");
    const graph = new Map();
    const re = /^(umkm_\w+)\(\)\s*\{\n([\s\S]*?)^\}/gm;
    for (const [, name, body] of common.matchAll(re)) graph.set(name, body);
    const calls = (text) => new Set([...text.matchAll(/\b(umkm_\w+)\b/g)].map((m) => m[1]).filter((n) => graph.has(n)));
    const reach = (start) => {
        const seen = new Set(start);
        const todo = [...start];
        while (todo.length) for (const next of calls(graph.get(todo.pop()))) if (!seen.has(next)) seen.add(next), todo.push(next);
        return seen;
    };
    return { calls, reach };
}

// A package list of common.sh, as bash expands it.
function packageList(variable) {
    const out = mustRun("bash", ["-c", `source "$1"; printf '%s\\n' "\${${variable}[@]}"`, "-",
        path.join(root, "scripts/lib/common.sh")]);
    return out.split("\n").filter(Boolean);
}

// scripts/build --packages NAME -> the common.sh variable it installs.
function buildLists() {
    const lists = new Map();
    for (const m of read("scripts/build").matchAll(/^\s*([\w-]+)\)\s*umkm_install_packages\s+"\$\{(\w+)\[@\]\}"/gm)) {
        lists.set(m[1], m[2]);
    }
    return lists;
}

// The Debian package that owns a file (merged /usr: either spelling).
function owner(file) {
    const real = fs.realpathSync(file);
    for (const candidate of new Set([file, real].flatMap((p) => [p, p.replace(/^\/usr\//, "/"), p.replace(/^\/(?!usr\/)/, "/usr/")]))) {
        const result = run("dpkg", ["-S", candidate]);
        if (result.status === 0) return result.stdout.split(":")[0].split(",")[0].trim();
    }
    throw new Error(`no Debian package owns ${file}`);
}
function dependsOf(pkg) {
    const out = run("dpkg-query", ["-W", "-f=${Depends}\n", pkg]).stdout;
    return new Set(out.split(/[,|\n]/).map((d) => d.trim().split(/[\s:(]/)[0]).filter(Boolean));
}
// True when installing LIST brings PKG: in it, or a direct dependency of a
// package in it (mariadb-client brings mariadb-client-core).
function listBrings(list, pkg) {
    return list.includes(pkg) || list.some((p) => dependsOf(p).has(pkg));
}

// ---- The image, laid out on disk ---------------------------------------------

// COPY as docker does it: a directory's contents into the destination; a
// file into a destination ending in "/" (or given with others) by its name.
function copyInto(imageRoot, workdir, copy, fromRoot) {
    const destination = path.posix.resolve(workdir, copy.dest);
    const intoDir = copy.dest.endsWith("/") || copy.sources.length > 1;
    for (const source of copy.sources) {
        const from = path.join(fromRoot, path.posix.resolve(fromRoot === root ? "/" : "/", source));
        assert(fs.existsSync(from), `COPY ${copy.flags.from ? `--from=${copy.flags.from} ` : ""}${source}: not there`);
        const to = path.join(imageRoot, intoDir && !fs.statSync(from).isDirectory()
            ? path.posix.join(destination, path.basename(source)) : destination);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.cpSync(from, to, { recursive: true });
    }
}

// Lays out a stage and the stages it is FROM; returns its WORKDIR and ENV.
function layout(stages, name, imageRoot, buildRoot) {
    const stage = stages.find((s) => s.name === name);
    assert(stage, `no stage ${name}`);
    let state = { workdir: "/", env: {} };
    if (stages.some((s) => s.name === stage.image)) state = layout(stages, stage.image, imageRoot, buildRoot);
    for (const { keyword, rest } of stage.instructions) {
        if (keyword === "WORKDIR") state.workdir = path.posix.resolve(state.workdir, rest);
        if (keyword === "ENV") {
            for (const m of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g)) state.env[m[1]] = m[2].replace(/^"|"$/g, "");
        }
        if (keyword === "COPY") {
            const copy = parseCopy(rest);
            const fromRoot = copy.flags.from ? buildRoot[copy.flags.from] : root;
            assert(fromRoot, `COPY --from=${copy.flags.from}: no such stage laid out`);
            copyInto(imageRoot, state.workdir, copy, fromRoot);
        }
    }
    return state;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}
function waitForPort(port, ms) {
    const deadline = Date.now() + ms;
    return new Promise((resolve, reject) => {
        const attempt = () => {
            const socket = net.connect(port, "127.0.0.1");
            socket.on("connect", () => socket.end(() => resolve()));
            socket.on("error", () => (Date.now() > deadline ? reject(new Error(`nothing listens on ${port}`)) : setTimeout(attempt, 100)));
        };
        attempt();
    });
}

// ---- The checks ----------------------------------------------------------------

const dockerfile = read("docker/Dockerfile");
let stages = [];
check("dockerfile: stages on debian:bookworm-slim", () => {
    stages = parseDockerfile(dockerfile);
    const names = stages.map((s) => s.name);
    for (const wanted of ["build", "base", ...Object.keys(STAGE_LIST)]) assert(names.includes(wanted), `no stage ${wanted}`);
    stages.forEach((stage, i) => assert(stage.image === "debian:bookworm-slim" || names.slice(0, i).includes(stage.image),
        `stage ${stage.name} is FROM ${stage.image}, not debian:bookworm-slim or an earlier stage`));
    return names.join(", ");
});

check("dockerfile: every COPY source exists in the checkout", () => {
    let count = 0;
    for (const stage of stages) {
        for (const { keyword, rest } of stage.instructions) {
            if (keyword === "ADD") throw new Error(`stage ${stage.name}: ADD (fetches and unpacks); use COPY`);
            if (keyword !== "COPY") continue;
            const copy = parseCopy(rest);
            if (copy.flags.from) continue;
            for (const source of copy.sources) {
                assert(!/[*?[]/.test(source), `stage ${stage.name}: COPY ${source}: name files, no patterns`);
                assert(fs.existsSync(path.join(root, source)), `stage ${stage.name}: COPY ${source}: not in the checkout`);
                count++;
            }
        }
    }
    return `${count} sources`;
});

// A project script: scripts/NAME, run by a relative path from the WORKDIR
// or by its absolute path in the image, executable in the checkout.
function projectScript(word) {
    const m = word.match(/^(?:\.\/|\/\S*\/)?scripts\/([\w-]+)$/);
    if (!m) return null;
    const file = path.join(root, "scripts", m[1]);
    assert(fs.existsSync(file), `${word}: there is no scripts/${m[1]}`);
    fs.accessSync(file, fs.constants.X_OK);
    return `scripts/${m[1]}`;
}

// Only a build stage that runs nothing but project scripts is run below: a
// RUN line is never executed on this machine before it is vetted.
let buildStageVetted = false;
check("dockerfile: the build stage runs only project scripts, using helpers scripts/test runs", () => {
    const build = stages.find((s) => s.name === "build");
    const graph = helperGraph();
    const ciHelpers = graph.reach(graph.calls(read("scripts/test")));
    const runs = build.instructions.filter((i) => i.keyword === "RUN");
    assert(runs.length, "the build stage runs nothing");
    const used = [];
    for (const { rest } of runs) {
        for (const words of simpleCommands(rest)) {
            const script = projectScript(words[0]);
            assert(script, `RUN ${rest}: '${words[0]}' is not a project script (build with scripts/build, as CI's helpers do)`);
            const text = read(script);
            const helpers = graph.calls(text);
            assert(helpers.size, `${script} calls no helper of scripts/lib/common.sh`);
            // The building and installing itself is the helpers' (the same
            // lines scripts/run and scripts/test run), never the script's.
            const own = text.split("\n").filter((l) => !/^\s*#/.test(l))
                .find((l) => /(^|[\s;&|(])(cmake|make|ninja|g\+\+|gcc|c\+\+|clang\+*|apt-get|apt|dpkg)\s/.test(l));
            assert(!own, `${script} runs a build or package tool itself: ${own?.trim()}`);
            for (const helper of helpers) {
                assert(ciHelpers.has(helper), `${script} calls ${helper}, which scripts/test never runs`);
            }
            used.push(`${script}: ${[...helpers].join(" ")}`);
        }
    }
    buildStageVetted = true;
    return used.join("; ");
});

check("dockerfile: runtime stages install common.sh's lists, nothing by hand", () => {
    const lists = buildLists();
    const housekeeping = [/^rm -rf \/var\/lib\/apt\/lists\/\*$/, /^useradd /, /^install -d /];
    const seen = [];
    for (const stage of stages.filter((s) => s.name !== "build")) {
        const installs = [];
        for (const { keyword, rest } of stage.instructions.filter((i) => i.keyword === "RUN")) {
            for (const words of simpleCommands(rest)) {
                const line = words.join(" ");
                if (housekeeping.some((re) => re.test(line))) continue;
                const script = projectScript(words[0]);
                assert(script === "scripts/build" && words[1] === "--packages" && words.length === 3,
                    `stage ${stage.name}: RUN ${line}: runtime packages come from 'scripts/build --packages LIST'`);
                assert(lists.has(words[2]), `stage ${stage.name}: scripts/build has no package list '${words[2]}'`);
                installs.push(words[2]);
            }
        }
        const wanted = STAGE_LIST[stage.name];
        if (wanted) {
            assert(installs.join() === wanted, `stage ${stage.name} installs [${installs}], not the ${wanted} list`);
            seen.push(`${stage.name}: ${lists.get(wanted)}`);
        } else {
            assert(!installs.length, `stage ${stage.name} installs [${installs}]: only the image stages do`);
        }
    }
    return seen.join(", ");
});

check("dockerfile: the nginx and tools lists bring what their images run", () => {
    const nginxList = packageList("UMKM_NGINX_PACKAGES");
    const modules = [...read("nginx/nginx.conf.template").matchAll(/^load_module\s+(\S+);/gm)].map((m) => m[1]);
    assert(modules.length, "nginx.conf.template loads no module (nchan?)");
    for (const file of [...modules, "/usr/sbin/nginx", "/usr/bin/curl"]) {
        const pkg = owner(file);
        assert(listBrings(nginxList, pkg), `${file} is in ${pkg}, which UMKM_NGINX_PACKAGES does not bring`);
    }
    const toolsList = packageList("UMKM_DB_CLIENT_PACKAGES");
    for (const file of ["/usr/bin/mariadb", "/usr/bin/mariadb-dump"]) {
        const pkg = owner(file);
        assert(listBrings(toolsList, pkg), `${file} is in ${pkg}, which UMKM_DB_CLIENT_PACKAGES does not bring`);
    }
    return `${modules.map((m) => path.basename(m)).join(" ")}, nginx, curl, mariadb, mariadb-dump`;
});

// ---- The build stage, run --------------------------------------------------------

const buildRoot = path.join(work, "build-stage");
const imageRoots = {};
check("build stage: its RUN lines run as docker runs them, on what its COPY lines take", () => {
    assert(buildStageVetted, "not run: the build stage's RUN lines did not pass the check above");
    const build = stages.find((s) => s.name === "build");
    const state = layout(stages, "build", buildRoot, {});
    for (const value of Object.values(state.env)) {
        assert(!value.startsWith("/"), "an ENV with an absolute path cannot be run outside the image; set it in scripts/");
    }
    const env = { PATH: DOCKER_PATH, HOME: "/root", ...state.env };
    for (const { rest } of build.instructions.filter((i) => i.keyword === "RUN")) {
        const [command, args] = rest.startsWith("[") ? [JSON.parse(rest)[0], JSON.parse(rest).slice(1)] : ["/bin/sh", ["-c", rest]];
        mustRun(command, args, { cwd: path.join(buildRoot, state.workdir), env, stdio: ["ignore", "pipe", "pipe"] });
    }
    return `RUN ${build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.rest).join("; ")} in ${state.workdir}`;
});

for (const target of Object.keys(STAGE_LIST)) {
    check(`image ${target}: its files, laid out from its COPY lines`, () => {
        imageRoots[target] = path.join(work, `image-${target}`);
        layout(stages, target, imageRoots[target], { build: buildRoot });
        const entrypoint = path.join(imageRoots[target], "usr/local/bin/umkm-entrypoint");
        fs.accessSync(entrypoint, fs.constants.X_OK);
        const ep = stages.find((s) => s.name === "base").instructions.find((i) => i.keyword === "ENTRYPOINT");
        assert(ep && JSON.parse(ep.rest)[0] === "umkm-entrypoint", "the base stage's ENTRYPOINT is not umkm-entrypoint");
    });
}

check("image pool: UMKM_POOL_PACKAGES holds the package of every library umkm-fcgi links to", () => {
    const binary = path.join(imageRoots.pool, "usr/local/sbin/umkm-fcgi");
    const list = packageList("UMKM_POOL_PACKAGES");
    const needed = [...mustRun("readelf", ["-d", binary]).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1]);
    const paths = new Map([...mustRun("ldd", [binary]).matchAll(/^\s*(\S+) => (\/\S+)/gm)].map((m) => [m[1], m[2]]));
    const packages = [];
    for (const lib of needed) {
        assert(paths.has(lib), `ldd does not find ${lib}`);
        const pkg = owner(paths.get(lib));
        if (pkg === "libc6") continue; // in every Debian system
        assert(list.includes(pkg), `umkm-fcgi links ${lib} (package ${pkg}), missing from UMKM_POOL_PACKAGES`);
        packages.push(pkg);
    }
    const probe = owner(mustRun("bash", ["-c", "command -v cgi-fcgi"]).trim());
    assert(list.includes(probe), `the health probe cgi-fcgi is in ${probe}, missing from UMKM_POOL_PACKAGES`);
    return [...new Set(packages)].join(" ");
});

// ---- The entry point, run from the laid-out images -----------------------------

const secrets = path.join(work, "secrets");
const secretValues = {};
fs.mkdirSync(secrets, { mode: 0o700 });
for (const name of ["db_root_password", "db_app_password"]) {
    secretValues[name] = `${name.replace(/_/g, "")}${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(path.join(secrets, name), `${secretValues[name]}\n`, { mode: 0o644 });
}
function entrypointEnv(target, extra) {
    const image = imageRoots[target];
    return {
        PATH: DOCKER_PATH,
        UMKM_HOME: path.join(image, "opt/umkm"),
        UMKM_RUN_DIR: path.join(work, `run-${target}`),
        UMKM_FCGI: path.join(image, "usr/local/sbin/umkm-fcgi"),
        UMKM_SECRETS_DIR: secrets,
        ...extra,
    };
}
const entrypoint = (target) => path.join(imageRoots[target], "usr/local/bin/umkm-entrypoint");

await checkAsync("image pool: config rendered and accepted, pool on TCP, health probe answered", async () => {
    const port = await freePort();
    // No database: 127.0.0.1:1 refuses at once, so health must say 503.
    const env = entrypointEnv("pool", {
        UMKM_POOL_ADDRESS: "127.0.0.1", UMKM_POOL_PORT: String(port), UMKM_WORKERS: "2",
        UMKM_DB_HOST: "127.0.0.1", UMKM_DB_PORT: "1",
    });
    const conf = mustRun(entrypoint("pool"), ["pool-config"], { env }).trim();
    const text = fs.readFileSync(conf, "utf8");
    assert(text.includes(`listen = 127.0.0.1:${port}\n`) && text.includes("workers = 2\n"), `unexpected ${conf}:\n${text}`);
    assert((fs.statSync(conf).mode & 0o077) === 0, `${conf} (with the password) is readable by others`);
    const pool = spawn(entrypoint("pool"), ["pool"], { env, stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    pool.stderr.on("data", (d) => (log += d));
    const exited = new Promise((resolve) => pool.on("exit", resolve));
    try {
        await waitForPort(port, 10000).catch((e) => { throw new Error(`${e.message}; the pool said:\n${log}`); });
        const health = run(entrypoint("pool"), ["health", "pool"], { env });
        assert(health.status !== 0 && /answers: Status: 503/.test(health.stderr),
            `health pool without a database: exit ${health.status}, ${health.stderr.trim()}`);
    } finally {
        pool.kill("SIGTERM");
        await exited;
    }
    const down = run(entrypoint("pool"), ["health", "pool"], { env });
    assert(down.status !== 0 && /no answer/.test(down.stderr), `health pool with no pool: exit ${down.status}, ${down.stderr.trim()}`);
    return "503 without a database, no answer without a pool";
});

check("image nginx: the renderer makes the site for the pool's address; nginx -t accepts it", () => {
    const address = "10.231.86.2";
    const env = entrypointEnv("nginx", { UMKM_POOL_ADDRESS: address });
    const conf = mustRun(entrypoint("nginx"), ["nginx-config"], { env }).trim();
    const site = fs.readFileSync(path.join(path.dirname(conf), "umkm-site.conf"), "utf8");
    assert(/^\s*listen 0\.0\.0\.0:8080;$/m.test(site), "the site does not listen on port 8080 of every address");
    assert(site.includes(`server ${address}:9000 `), "the upstream is not the pool's address");
    assert(!/unix:/.test(site), "the site still passes to a unix socket");
    const publisher = site.slice(site.indexOf("_umkm/events/publish/"));
    assert(publisher.slice(0, publisher.indexOf("\n    }")).includes(`allow ${address};`), "the events publisher does not allow the pool");
});

// The whole wiring, as compose runs it, in a network namespace of our own:
// needs root (CI is root); anyone else gets it skipped, said so.
check("wiring: MariaDB, migrate, pool and nginx from the images' entry points, a purchase and its event", () => {
    if (process.getuid() !== 0) return { skip: "needs root for a network namespace (unshare -n); CI runs as root" };
    // A container may refuse new namespaces even to root.
    if (spawnSync("unshare", ["-n", "true"]).status !== 0) return { skip: "this machine refuses a network namespace (unshare -n)" };
    const dir = path.join(work, "netns-logs");
    fs.mkdirSync(dir);
    const out = mustRun("timeout", ["120", "unshare", "-n", path.join(root, "tests/docker/stack-in-netns"), dir], {
        env: { PATH: DOCKER_PATH, HOME: "/root", UMKM_IMAGES: work, UMKM_SECRETS_DIR: secrets },
    });
    return out.trim();
});

check("image tools: scripts/migrate, backup and restore run; the migrations are there", () => {
    const home = path.join(imageRoots.tools, "opt/umkm");
    for (const script of ["migrate", "backup", "restore"]) mustRun(path.join(home, "scripts", script), ["--help"]);
    const want = fs.readdirSync(path.join(root, "sql/migrations")).sort().join();
    assert(fs.readdirSync(path.join(home, "sql/migrations")).sort().join() === want, "sql/migrations differ from the checkout's");
    return want.split(",").length + " migrations";
});

check("shellcheck -x docker/entrypoint tests/docker/stack-in-netns", () => {
    mustRun("shellcheck", ["-x", "docker/entrypoint", "tests/docker/stack-in-netns"], { cwd: root });
});

// ---- compose.yaml ----------------------------------------------------------------

const emptyEnv = path.join(work, "empty.env");
fs.writeFileSync(emptyEnv, "");
// Debian 12 has compose 1.29 only; a v2 plugin, where present, is asked too.
// No docker/.env of a developer's leaks in; the backup's profile is active so
// that v2 shows that service too.
const composeArgs = ["--env-file", emptyEnv, "--profile", "tools", "-f", "docker/compose.yaml", "config"];
const composers = [["docker-compose", composeArgs]];
if (run("sh", ["-c", "docker compose version"]).status === 0) composers.push(["docker", ["compose", ...composeArgs]]);
function composeConfig([command, args], settings = {}) {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? "/root", UMKM_SECRETS_DIR: secrets, ...settings };
    return YAML.parse(mustRun(command, args, { cwd: root, env }));
}
const ports = (service) => (service.ports ?? []).map((p) => (typeof p === "string"
    ? { published: p.split(":").at(-2), target: p.split(":").at(-1) } : { published: String(p.published), target: String(p.target) }));
const mounts = (service) => (service.volumes ?? []).map((v) => {
    if (typeof v !== "string") return v;
    const [source, target] = v.split(":");
    return { type: source.startsWith("/") || source.startsWith(".") ? "bind" : "volume", source, target };
});
const secretNames = (service) => (service.secrets ?? []).map((s) => (typeof s === "string" ? s : s.source)).sort().join(" ");
const networksOf = (service) => (Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {}));
const ipv4 = (a) => a.split(".").reduce((n, x) => n * 256 + Number(x), 0);
const inCidr = (a, cidr) => {
    const [base, bits] = cidr.split("/");
    return Math.floor(ipv4(a) / 2 ** (32 - bits)) === Math.floor(ipv4(base) / 2 ** (32 - bits));
};

for (const composer of composers) {
    const who = composer[0] === "docker" ? "docker compose" : "docker-compose";
    let config;
    check(`compose (${who} config): services, images and builds`, () => {
        config = composeConfig(composer);
        const s = config.services;
        for (const name of ["db", ...Object.keys(SERVICE_TARGET)]) assert(s[name], `no service ${name}`);
        assert(/^mariadb:11(\.|$)/.test(s.db.image), `db runs ${s.db.image}, not mariadb:11`);
        for (const [name, target] of Object.entries(SERVICE_TARGET)) {
            const build = s[name].build;
            assert(build && path.resolve(root, build.context) === root, `${name}: the build context is not the checkout`);
            assert(path.resolve(root, build.context, build.dockerfile) === path.join(root, "docker/Dockerfile"),
                `${name}: dockerfile ${build.dockerfile}`);
            assert(build.target === target && stages.some((st) => st.name === target), `${name}: target ${build.target}, not ${target}`);
        }
        assert(s.backup.profiles?.includes("tools"), "backup would start with every `up`");
        return Object.keys(s).join(", ");
    });
    check(`compose (${who} config): healthchecks and start order`, () => {
        const s = config.services;
        for (const name of ["db", "pool", "nginx"]) {
            const hc = s[name].healthcheck;
            assert(hc && !hc.disable && Array.isArray(hc.test) && hc.test.length > 1, `${name} has no healthcheck`);
        }
        assert(s.pool.healthcheck.test.join(" ") === "CMD umkm-entrypoint health pool", "pool's healthcheck is not the entry point's");
        assert(s.nginx.healthcheck.test.join(" ") === "CMD umkm-entrypoint health nginx", "nginx's healthcheck is not the entry point's");
        const wants = { migrate: { db: "service_healthy" }, backup: { db: "service_healthy" },
            pool: { db: "service_healthy", migrate: "service_completed_successfully" }, nginx: { pool: "service_healthy" } };
        for (const [name, deps] of Object.entries(wants)) {
            for (const [dep, condition] of Object.entries(deps)) {
                assert(s[name].depends_on?.[dep]?.condition === condition, `${name} does not wait for ${dep} (${condition})`);
            }
        }
    });
    check(`compose (${who} config): secrets are files, given only where needed`, () => {
        const s = config.services;
        for (const [name, secret] of Object.entries(config.secrets)) {
            assert(path.resolve(root, "docker", secret.file) === path.join(secrets, name), `secret ${name} is ${secret.file}, not $UMKM_SECRETS_DIR/${name}`);
        }
        const wants = { db: "db_root_password", migrate: "db_app_password db_root_password", pool: "db_app_password",
            nginx: "", backup: "db_root_password" };
        for (const [name, secretsWanted] of Object.entries(wants)) {
            assert(secretNames(s[name]) === secretsWanted, `${name} gets secrets [${secretNames(s[name])}], not [${secretsWanted}]`);
        }
        assert(s.db.environment?.MARIADB_ROOT_PASSWORD_FILE === "/run/secrets/db_root_password", "MariaDB does not read its root password from the secret");
        const resolved = YAML.stringify(config);
        for (const [name, service] of Object.entries(s)) {
            for (const key of Object.keys(service.environment ?? {})) {
                assert(!/PASSWORD|SECRET/.test(key) || key.endsWith("_FILE"), `${name}: password in the environment (${key})`);
            }
        }
        for (const value of Object.values(secretValues)) assert(!resolved.includes(value), "a secret's value is in the resolved compose file");
    });
    check(`compose (${who} config): the database on a named volume, MariaDB's settings mounted`, () => {
        const s = config.services;
        const data = mounts(s.db).find((m) => m.target === "/var/lib/mysql");
        assert(data?.type === "volume" && config.volumes?.[data.source] !== undefined, "/var/lib/mysql is not a named volume");
        const cnf = mounts(s.db).find((m) => m.target === "/etc/mysql/conf.d/umkm.cnf");
        assert(cnf && path.resolve(root, "docker", cnf.source) === path.join(root, "conf/mariadb/umkm.cnf"), "conf/mariadb/umkm.cnf is not mounted");
    });
    check(`compose (${who} config): workers and HTTP port from the environment`, () => {
        let s = config.services;
        assert(String(s.pool.environment.UMKM_WORKERS) === "4", `default workers ${s.pool.environment.UMKM_WORKERS}, not 4`);
        assert(JSON.stringify(ports(s.nginx)) === '[{"published":"8080","target":"8080"}]', `nginx publishes ${JSON.stringify(ports(s.nginx))}`);
        s = composeConfig(composer, { UMKM_WORKERS: "7", UMKM_HTTP_PORT: "18080" }).services;
        assert(String(s.pool.environment.UMKM_WORKERS) === "7", "UMKM_WORKERS=7 does not reach the pool");
        assert(JSON.stringify(ports(s.nginx)) === '[{"published":"18080","target":"8080"}]', "UMKM_HTTP_PORT=18080 is not published");
        for (const name of ["db", "migrate", "pool", "backup"]) assert(!ports(s[name]).length, `${name} publishes a port`);
    });
    check(`compose (${who} config): networks as firewalls, the pool on its fixed address`, () => {
        const s = config.services;
        const members = (net) => Object.keys(s).filter((name) => networksOf(s[name]).includes(net)).sort().join(" ");
        assert(config.networks.db?.internal && config.networks.fcgi?.internal, "db and fcgi must be internal networks");
        assert(members("fcgi") === "nginx pool", `the fcgi network holds [${members("fcgi")}], not nginx and the pool only`);
        assert(!networksOf(s.nginx).includes("db"), "nginx is on the database's network");
        const address = s.pool.networks.fcgi?.ipv4_address;
        const { subnet, ip_range: range } = config.networks.fcgi.ipam.config[0];
        assert(address && s.pool.environment.UMKM_POOL_ADDRESS === address && s.nginx.environment.UMKM_POOL_ADDRESS === address,
            "the pool's address differs between its network, its environment and nginx's");
        assert(inCidr(address, subnet) && !inCidr(address, range), `${address} must be in ${subnet} and outside ${range}`);
    });
}

console.log(`docker: ${composers.map((c) => c[0]).join(" and ")} checked the compose file`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
