export * from './dist/plugin-api'
