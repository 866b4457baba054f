// Root component: AntD theme and locale, auth state, and the routes (pages load lazily, the map in its own chunk).
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react'
import { BrowserRouter, Navigate, Route, Routes } from 'react-router'
import { App as AntApp, ConfigProvider } from 'antd'
import zhCN from 'antd/locale/zh_CN'
import enUS from 'antd/locale/en_US'
import { useTranslation } from 'react-i18next'
import { AuthProvider } from './auth'
import { NotFound, RequireAuth, RequirePermission } from './Guards'
import { NAV_ITEMS, type NavKey } from './nav'
import { Shell } from './Shell'
import { LoginPage } from '../pages/login/LoginPage'

const pages: Record<Exclude<NavKey, 'home' | 'screen'>, LazyExoticComponent<ComponentType>> = {
  field: lazy(() => import('../pages/field/FieldTasksPage')),
  fieldReport: lazy(() => import('../pages/field/FieldReportPage')),
  inbox: lazy(() => import('../pages/inbox/InboxPage')),
  cases: lazy(() => import('../pages/cases/CasesPage')),
  command: lazy(() => import('../pages/command/CommandMapPage')),
  evaluation: lazy(() => import('../pages/evaluation/EvaluationPage')),
  analysis: lazy(() => import('../pages/analysis/AnalysisPage')),
  iotDevices: lazy(() => import('../pages/iot/DevicesPage')),
  iotAlarms: lazy(() => import('../pages/iot/AlarmsPage')),
  iotRules: lazy(() => import('../pages/iot/RulesPage')),
  map: lazy(() => import('../pages/map/MapPage')),
  units: lazy(() => import('../pages/units/UnitsPage')),
  people: lazy(() => import('../pages/people/PeoplePage')),
  roles: lazy(() => import('../pages/roles/RolesPage')),
  grid: lazy(() => import('../pages/grid/GridCellsPage')),
  classes: lazy(() => import('../pages/classes/ClassesPage')),
  caseSettings: lazy(() => import('../pages/settings/CaseSettingsPage')),
  audit: lazy(() => import('../pages/audit/AuditPage')),
}
/** The command screen (大屏): full screen, without the app's frame. */
const ScreenPage = lazy(() => import('../pages/screen/ScreenPage'))
const HomePage = lazy(() => import('../pages/home/HomePage'))
const CaseDetailPage = lazy(() => import('../pages/cases/CaseDetailPage'))
const FieldCasePage = lazy(() => import('../pages/field/FieldCasePage'))
const DeviceDetailPage = lazy(() => import('../pages/iot/DeviceDetailPage'))
// The citizen pages: public, outside the staff shell and its sign-in (a citizen never sees the login page).
const CitizenLayout = lazy(() => import('../pages/citizen/CitizenLayout'))
const CitizenHomePage = lazy(() => import('../pages/citizen/CitizenHomePage'))
const CitizenReportPage = lazy(() => import('../pages/citizen/CitizenReportPage'))
const CitizenFollowPage = lazy(() => import('../pages/citizen/CitizenFollowPage'))
const CitizenMapPage = lazy(() => import('../pages/citizen/CitizenMapPage'))
/** Uploads the field reports kept while offline, whatever page is open (renders nothing). */
const FieldOutbox = lazy(() => import('../pages/field/OutboxRunner'))

const theme = {
  token: {
    colorPrimary: '#1f5fa8',
    borderRadius: 6,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif",
  },
}

export function App() {
  const { i18n } = useTranslation()
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={theme}>
      <AntApp>
        <AuthProvider>
          <BrowserRouter>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route path="/citizen" element={<Suspense fallback={null}><CitizenLayout /></Suspense>}>
                <Route index element={<Suspense fallback={null}><CitizenHomePage /></Suspense>} />
                <Route path="report" element={<Suspense fallback={null}><CitizenReportPage /></Suspense>} />
                <Route path="follow/:token" element={<Suspense fallback={null}><CitizenFollowPage /></Suspense>} />
                <Route path="ticket/:ticket" element={<Suspense fallback={null}><CitizenFollowPage /></Suspense>} />
                <Route path="map" element={<Suspense fallback={null}><CitizenMapPage /></Suspense>} />
                <Route path="*" element={<Navigate to="/citizen" replace />} />
              </Route>
              <Route path="/screen" element={<RequireAuth><RequirePermission permission="analytics:read"><Suspense fallback={null}><ScreenPage /></Suspense></RequirePermission></RequireAuth>} />
              <Route element={<RequireAuth><Suspense fallback={null}><FieldOutbox /></Suspense><Shell /></RequireAuth>}>
                <Route index element={<HomePage />} />
                {NAV_ITEMS.filter((item) => item.key !== 'home' && item.key !== 'screen').map((item) => {
                  const Page = pages[item.key as Exclude<NavKey, 'home' | 'screen'>]
                  return (
                    <Route
                      key={item.key}
                      path={item.path.slice(1)}
                      element={<RequirePermission permission={item.permission}><Page /></RequirePermission>}
                    />
                  )
                })}
                <Route path="cases/:id" element={<RequirePermission permission="case:read"><CaseDetailPage /></RequirePermission>} />
                <Route path="field/cases/:id" element={<RequirePermission permission="case:read"><FieldCasePage /></RequirePermission>} />
                <Route path="iot/devices/:id" element={<RequirePermission permission="device:read"><DeviceDetailPage /></RequirePermission>} />
                <Route path="*" element={<NotFound />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  )
}
