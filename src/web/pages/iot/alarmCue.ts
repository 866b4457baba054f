// The sound of a new critical alarm: a short two-tone beep made with WebAudio (no audio file), and the user's mute
// choice, remembered in this browser. Browsers allow sound only after the user touched the page: `unlockAudio` on the
// first pointer or key press prepares it.

const MUTE_KEY = 'xiuhua.iot.alarmSoundMuted'

let context: AudioContext | null = null

export function readMuted(): boolean {
  try {
    return window.localStorage.getItem(MUTE_KEY) === '1'
  } catch {
    return false
  }
}

export function writeMuted(muted: boolean): void {
  try {
    if (muted) window.localStorage.setItem(MUTE_KEY, '1')
    else window.localStorage.removeItem(MUTE_KEY)
  } catch {
    // private mode: the choice lasts for this page only
  }
}

/** Makes (or resumes) the audio context; call from a user gesture. */
export function unlockAudio(): void {
  if (typeof AudioContext === 'undefined') return
  context ??= new AudioContext()
  if (context.state === 'suspended') void context.resume().catch(() => undefined)
}

/** Two short high tones; false when the browser cannot play yet (no gesture so far, no WebAudio). */
export function beep(): boolean {
  if (!context || context.state !== 'running') return false
  const start = context.currentTime
  for (const [at, frequency] of [[0, 880], [0.22, 1175]] as const) {
    const oscillator = context.createOscillator()
    const gain = context.createGain()
    oscillator.type = 'square'
    oscillator.frequency.value = frequency
    // a quick attack and decay, so the tone does not click
    gain.gain.setValueAtTime(0.0001, start + at)
    gain.gain.exponentialRampToValueAtTime(0.25, start + at + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.18)
    oscillator.connect(gain).connect(context.destination)
    oscillator.start(start + at)
    oscillator.stop(start + at + 0.2)
  }
  return true
}
