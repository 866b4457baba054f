// A private Mosquitto for the tests of the external broker path (MQTT_URL): started on a free port with the ACL that
// docs/iot.md asks operators for — each device writes only under its own token, the server's user reads them all.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** The Mosquitto binary of this machine; the tests that need one are skipped without it. */
export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((file) => fs.existsSync(file))

/** The user name the server connects as (it may read every device's topics). */
export const SERVER_USER = 'xiuhua'

/** A port free on 127.0.0.1 at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Whether something listens on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export interface Mosquitto {
  port: number
  /** The URL the server connects with (MQTT_URL). */
  serverUrl: string
  stop(): Promise<void>
}

/** Starts Mosquitto with the operator's ACL and waits until it listens. */
export async function startMosquitto(): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error('no mosquitto on this machine')
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-mosquitto-'))
  fs.chmodSync(dir, 0o755) // started as root, Mosquitto reads its files as the mosquitto user
  fs.writeFileSync(path.join(dir, 'acl'), `user ${SERVER_USER}\ntopic read devices/#\n\npattern write devices/%u/v1/devices/me/#\n`)
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\nacl_file ${path.join(dir, 'acl')}\npersistence false\nlog_dest none\n`)
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill()
      await exited
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; i < 100 && !(await listening(port)); i++) {
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (!(await listening(port))) {
    await stop()
    throw new Error(`mosquitto did not start on port ${port}`)
  }
  return { port, serverUrl: `mqtt://${SERVER_USER}@127.0.0.1:${port}`, stop }
}
