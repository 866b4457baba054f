// Configuration: defaults of INTERFACES.md, and a clear message naming the variable for every wrong value.
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, mqttUrl: undefined, mqttPort: 1883, jt808Port: 7808, demo: true, production: false, baseMap: 'none' })
    expect(config.dataDir).toMatch(/\/data$/)
  })

  it('turns the demo off in production mode and refuses to seed it there', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).demo).toBe(false)
    expect(loadConfig({ NODE_ENV: 'production' }).cookieSecure).toBe(true)
    expect(() => loadConfig({ NODE_ENV: 'production', XIUHUA_DEMO: 'on' })).toThrow(/XIUHUA_DEMO/)
  })

  it.each([
    ['PORT', 'abc', /PORT: must be a whole number/],
    ['PORT', '70000', /PORT: must be between 0 and 65535/],
    ['MQTT_PORT', '-1', /MQTT_PORT/],
    ['JT808_PORT', '1.5', /JT808_PORT/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: is not a valid URL/],
    ['MQTT_URL', 'http://broker', /MQTT_URL/],
    ['XIUHUA_DEMO', 'perhaps', /XIUHUA_DEMO: must be on\/off/],
    ['XIUHUA_BASEMAP', 'google', /XIUHUA_BASEMAP/],
  ])('names %s when it is %s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })

  it('needs a key for the Tianditu base map', () => {
    expect(() => loadConfig({ XIUHUA_BASEMAP: 'tianditu' })).toThrow(/TIANDITU_KEY/)
    expect(loadConfig({ XIUHUA_BASEMAP: 'tianditu', TIANDITU_KEY: 'k' })).toMatchObject({ baseMap: 'tianditu', tiandituKey: 'k' })
  })
})
